import { createRoot } from "react-dom/client";
import "../../styles.css";
import "./liveness.css";
import { loadConfig } from "./config.js";
import { LivenessPage } from "./LivenessPage.jsx";

loadConfig().then((config) => {
  createRoot(document.getElementById("root")).render(<LivenessPage config={config} />);
  document.body.dataset.ready = "true";
});
