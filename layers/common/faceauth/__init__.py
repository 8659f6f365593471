"""faceauth: selfie login domain, persistence and adapters, shipped as a Lambda layer."""
