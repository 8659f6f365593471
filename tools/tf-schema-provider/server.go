package main

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// server answers the plugin protocol from a schema alone: configurations validate against it,
// plans propose the configured values with every unset computed attribute unknown, and
// nothing is ever read from or written to AWS.
type server struct {
	schemas *Schemas
	// loadErr is reported on every call when the schema could not be loaded, so tofu shows
	// it as a diagnostic instead of a plugin crash.
	loadErr error
}

var _ tfprotov6.ProviderServer = (*server)(nil)

func errorDiagnostics(summary, detail string) []*tfprotov6.Diagnostic {
	return []*tfprotov6.Diagnostic{{Severity: tfprotov6.DiagnosticSeverityError, Summary: summary, Detail: detail}}
}

func (s *server) loadDiagnostics() []*tfprotov6.Diagnostic {
	if s.loadErr == nil {
		return nil
	}
	return errorDiagnostics("Schema-only provider has no schema", s.loadErr.Error())
}

// unsupported is the answer to every call that would need AWS.
func unsupported(what string) []*tfprotov6.Diagnostic {
	return errorDiagnostics(
		"Schema-only provider cannot "+what,
		"This hashicorp/aws provider serves only the schema (tools/tf-schema-provider): it validates configurations and plans with computed values unknown. In `tofu test`, use mock_provider, override_resource or override_data; to deploy, use the real provider.",
	)
}

func (s *server) GetMetadata(_ context.Context, _ *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	resp := &tfprotov6.GetMetadataResponse{ServerCapabilities: &tfprotov6.ServerCapabilities{}, Diagnostics: s.loadDiagnostics()}
	if s.schemas == nil {
		return resp, nil
	}
	for _, name := range sortedKeys(s.schemas.Resources) {
		resp.Resources = append(resp.Resources, tfprotov6.ResourceMetadata{TypeName: name})
	}
	for _, name := range sortedKeys(s.schemas.DataSources) {
		resp.DataSources = append(resp.DataSources, tfprotov6.DataSourceMetadata{TypeName: name})
	}
	for _, name := range sortedKeys(s.schemas.EphemeralResources) {
		resp.EphemeralResources = append(resp.EphemeralResources, tfprotov6.EphemeralResourceMetadata{TypeName: name})
	}
	return resp, nil
}

func (s *server) GetProviderSchema(_ context.Context, _ *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	if s.schemas == nil {
		return &tfprotov6.GetProviderSchemaResponse{Diagnostics: s.loadDiagnostics()}, nil
	}
	return &tfprotov6.GetProviderSchemaResponse{
		ServerCapabilities:       &tfprotov6.ServerCapabilities{},
		Provider:                 s.schemas.Provider,
		ResourceSchemas:          s.schemas.Resources,
		DataSourceSchemas:        s.schemas.DataSources,
		EphemeralResourceSchemas: s.schemas.EphemeralResources,
		Functions:                map[string]*tfprotov6.Function{},
	}, nil
}

func (s *server) GetResourceIdentitySchemas(_ context.Context, _ *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	return &tfprotov6.GetResourceIdentitySchemasResponse{IdentitySchemas: map[string]*tfprotov6.ResourceIdentitySchema{}}, nil
}

func (s *server) ValidateProviderConfig(_ context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	return &tfprotov6.ValidateProviderConfigResponse{PreparedConfig: req.Config, Diagnostics: s.loadDiagnostics()}, nil
}

func (s *server) ConfigureProvider(_ context.Context, _ *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	return &tfprotov6.ConfigureProviderResponse{Diagnostics: s.loadDiagnostics()}, nil
}

func (s *server) StopProvider(_ context.Context, _ *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	return &tfprotov6.StopProviderResponse{}, nil
}

// Argument names, types, required arguments and block names are checked by tofu itself
// against the schema; the checks the real provider adds (value lists, conflicts) are not in it.
func (s *server) ValidateResourceConfig(_ context.Context, _ *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return &tfprotov6.ValidateResourceConfigResponse{Diagnostics: s.loadDiagnostics()}, nil
}

func (s *server) ValidateDataResourceConfig(_ context.Context, _ *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return &tfprotov6.ValidateDataResourceConfigResponse{Diagnostics: s.loadDiagnostics()}, nil
}

func (s *server) ValidateEphemeralResourceConfig(_ context.Context, _ *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	return &tfprotov6.ValidateEphemeralResourceConfigResponse{Diagnostics: s.loadDiagnostics()}, nil
}

func (s *server) resourceSchema(typeName string) (*tfprotov6.Schema, []*tfprotov6.Diagnostic) {
	if s.schemas == nil {
		return nil, s.loadDiagnostics()
	}
	schema, ok := s.schemas.Resources[typeName]
	if !ok {
		return nil, errorDiagnostics("Unknown resource type", fmt.Sprintf("%s is not in the schema.", typeName))
	}
	return schema, nil
}

// UpgradeResourceState decodes stored state with the current schema (the schema has no
// upgraders: a state from an older schema version is read as it is).
func (s *server) UpgradeResourceState(_ context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	schema, diags := s.resourceSchema(req.TypeName)
	if diags != nil {
		return &tfprotov6.UpgradeResourceStateResponse{Diagnostics: diags}, nil
	}
	typ := schema.ValueType()
	value, err := req.RawState.UnmarshalWithOpts(typ, tfprotov6.UnmarshalOpts{
		ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true},
	})
	if err != nil {
		return &tfprotov6.UpgradeResourceStateResponse{Diagnostics: errorDiagnostics("Unreadable state", err.Error())}, nil
	}
	upgraded, err := tfprotov6.NewDynamicValue(typ, value)
	if err != nil {
		return &tfprotov6.UpgradeResourceStateResponse{Diagnostics: errorDiagnostics("Unreadable state", err.Error())}, nil
	}
	return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &upgraded}, nil
}

func (s *server) UpgradeResourceIdentity(_ context.Context, _ *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return &tfprotov6.UpgradeResourceIdentityResponse{Diagnostics: unsupported("upgrade resource identities")}, nil
}

// ReadResource finds the object as it was stored: there is no AWS to ask.
func (s *server) ReadResource(_ context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return &tfprotov6.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private, Diagnostics: s.loadDiagnostics()}, nil
}

func (s *server) PlanResourceChange(_ context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	schema, diags := s.resourceSchema(req.TypeName)
	if diags != nil {
		return &tfprotov6.PlanResourceChangeResponse{Diagnostics: diags}, nil
	}
	planned, err := PlanFromProposed(schema, req.ProposedNewState)
	if err != nil {
		return &tfprotov6.PlanResourceChangeResponse{Diagnostics: errorDiagnostics("Cannot plan "+req.TypeName, err.Error())}, nil
	}
	return &tfprotov6.PlanResourceChangeResponse{PlannedState: planned, PlannedPrivate: req.PriorPrivate}, nil
}

// PlanFromProposed is tofu's proposed new state (configuration merged with the prior state)
// with every computed attribute that neither sets marked unknown, as a provider would
// before it learns the value from AWS.
func PlanFromProposed(schema *tfprotov6.Schema, proposed *tfprotov6.DynamicValue) (*tfprotov6.DynamicValue, error) {
	typ := schema.ValueType()
	value, err := proposed.Unmarshal(typ)
	if err != nil {
		return nil, err
	}
	if value.IsNull() {
		return proposed, nil // a destroy
	}
	planned, err := tftypes.Transform(value, func(path *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		attribute := attributeAt(schema.Block, path)
		if attribute != nil && attribute.Computed && v.IsNull() {
			return tftypes.NewValue(v.Type(), tftypes.UnknownValue), nil
		}
		return v, nil
	})
	if err != nil {
		return nil, err
	}
	result, err := tfprotov6.NewDynamicValue(typ, planned)
	if err != nil {
		return nil, err
	}
	return &result, nil
}

// attributeAt is the schema attribute a value path ends at, or nil when the path ends at a
// block, at the object itself or inside an attribute's value (an element of a list attribute).
func attributeAt(block *tfprotov6.SchemaBlock, path *tftypes.AttributePath) *tfprotov6.SchemaAttribute {
	steps := path.Steps()
	attributes, blocks := block.Attributes, block.BlockTypes
	for i, step := range steps {
		name, ok := step.(tftypes.AttributeName)
		if !ok {
			continue // an element of the nested block or nested attribute reached so far
		}
		last := i == len(steps)-1
		if attribute := findAttribute(attributes, string(name)); attribute != nil {
			if last {
				return attribute
			}
			if attribute.NestedType == nil {
				return nil
			}
			attributes, blocks = attribute.NestedType.Attributes, nil
			continue
		}
		nested := findBlock(blocks, string(name))
		if nested == nil || last {
			return nil
		}
		attributes, blocks = nested.Block.Attributes, nested.Block.BlockTypes
	}
	return nil
}

func findAttribute(attributes []*tfprotov6.SchemaAttribute, name string) *tfprotov6.SchemaAttribute {
	for _, attribute := range attributes {
		if attribute.Name == name {
			return attribute
		}
	}
	return nil
}

func findBlock(blocks []*tfprotov6.SchemaNestedBlock, name string) *tfprotov6.SchemaNestedBlock {
	for _, nested := range blocks {
		if nested.TypeName == name {
			return nested
		}
	}
	return nil
}

func (s *server) ApplyResourceChange(_ context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return &tfprotov6.ApplyResourceChangeResponse{Diagnostics: unsupported("apply " + req.TypeName)}, nil
}

func (s *server) ImportResourceState(_ context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return &tfprotov6.ImportResourceStateResponse{Diagnostics: unsupported("import " + req.TypeName)}, nil
}

func (s *server) MoveResourceState(_ context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return &tfprotov6.MoveResourceStateResponse{Diagnostics: unsupported("move state into " + req.TargetTypeName)}, nil
}

func (s *server) GenerateResourceConfig(_ context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return &tfprotov6.GenerateResourceConfigResponse{Diagnostics: unsupported("generate configuration for " + req.TypeName)}, nil
}

func (s *server) ReadDataSource(_ context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return &tfprotov6.ReadDataSourceResponse{Diagnostics: unsupported("read data source " + req.TypeName)}, nil
}

func (s *server) OpenEphemeralResource(_ context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return &tfprotov6.OpenEphemeralResourceResponse{Diagnostics: unsupported("open ephemeral resource " + req.TypeName)}, nil
}

func (s *server) RenewEphemeralResource(_ context.Context, req *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	return &tfprotov6.RenewEphemeralResourceResponse{Diagnostics: unsupported("renew ephemeral resource " + req.TypeName)}, nil
}

func (s *server) CloseEphemeralResource(_ context.Context, _ *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	return &tfprotov6.CloseEphemeralResourceResponse{}, nil
}

func (s *server) GetFunctions(_ context.Context, _ *tfprotov6.GetFunctionsRequest) (*tfprotov6.GetFunctionsResponse, error) {
	return &tfprotov6.GetFunctionsResponse{Functions: map[string]*tfprotov6.Function{}}, nil
}

func (s *server) CallFunction(_ context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return &tfprotov6.CallFunctionResponse{Error: &tfprotov6.FunctionError{Text: "the schema-only provider has no function " + req.Name}}, nil
}
