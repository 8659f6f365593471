package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// A document in the shape `terraform providers schema -json` prints, with one resource that
// has every construct the conversion handles, and an empty provider block.
const document = `{
  "format_version": "1.0",
  "provider_schemas": {
    "registry.terraform.io/hashicorp/aws": {
      "provider": {"version": 0, "block": {"description_kind": "plain"}},
      "resource_schemas": {
        "aws_thing": {
          "version": 2,
          "block": {
            "attributes": {
              "id":    {"type": "string", "optional": true, "computed": true},
              "arn":   {"type": "string", "computed": true},
              "name":  {"type": "string", "required": true},
              "tags":  {"type": ["map", "string"], "optional": true},
              "ports": {"type": ["set", "number"], "optional": true},
              "shape": {"type": ["object", {"size": "number", "label": "string"}], "optional": true},
              "rules": {"nested_type": {"nesting_mode": "list", "attributes": {"from": {"type": "number", "required": true}}}, "optional": true}
            },
            "block_types": {
              "rule": {
                "nesting_mode": "list",
                "max_items": 2,
                "block": {"attributes": {
                  "id":     {"type": "string", "required": true},
                  "status": {"type": "string", "computed": true}
                }}
              }
            }
          }
        }
      },
      "data_source_schemas": {"aws_region": {"version": 0, "block": {"attributes": {"region": {"type": "string", "optional": true, "computed": true}}}}},
      "ephemeral_resource_schemas": {}
    }
  }
}`

const fallbackProvider = `{"version": 0, "block": {"attributes": {"region": {"type": "string", "optional": true}}, "block_types": {"default_tags": {"nesting_mode": "list", "block": {"attributes": {"tags": {"type": ["map", "string"], "optional": true}}}}}}}`

func loadTestSchemas(t *testing.T) *Schemas {
	t.Helper()
	path := filepath.Join(t.TempDir(), "aws.json")
	if err := os.WriteFile(path, []byte(document), 0o600); err != nil {
		t.Fatal(err)
	}
	schemas, err := LoadSchemas(path, "registry.terraform.io/hashicorp/aws", []byte(fallbackProvider), nil)
	if err != nil {
		t.Fatalf("LoadSchemas: %v", err)
	}
	return schemas
}

func TestConvertsTypesFlagsAndBlocks(t *testing.T) {
	// Given a document with one resource, When it is loaded
	thing := loadTestSchemas(t).Resources["aws_thing"]

	// Then the schema version, attribute types and flags, and nested blocks survive
	if thing.Version != 2 {
		t.Errorf("version = %d, want 2", thing.Version)
	}
	want := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"id": tftypes.String, "arn": tftypes.String, "name": tftypes.String,
		"tags":  tftypes.Map{ElementType: tftypes.String},
		"ports": tftypes.Set{ElementType: tftypes.Number},
		"shape": tftypes.Object{AttributeTypes: map[string]tftypes.Type{"size": tftypes.Number, "label": tftypes.String}},
		"rules": tftypes.List{ElementType: tftypes.Object{AttributeTypes: map[string]tftypes.Type{"from": tftypes.Number}}},
		"rule":  tftypes.List{ElementType: tftypes.Object{AttributeTypes: map[string]tftypes.Type{"id": tftypes.String, "status": tftypes.String}}},
	}}
	if got := thing.ValueType(); !got.Equal(want) {
		t.Errorf("value type = %s, want %s", got, want)
	}
	name := findAttribute(thing.Block.Attributes, "name")
	if !name.Required || name.Optional || name.Computed {
		t.Errorf("name flags = %+v, want required only", name)
	}
	rule := findBlock(thing.Block.BlockTypes, "rule")
	if rule.Nesting != tfprotov6.SchemaNestedBlockNestingModeList || rule.MaxItems != 2 {
		t.Errorf("rule block = %+v, want a list of at most 2", rule)
	}
}

func TestAnEmptyProviderBlockIsReplacedByTheFallback(t *testing.T) {
	// Given a document whose provider block is empty, When it is loaded
	provider := loadTestSchemas(t).Provider.Block
	// Then the provider block is the fallback one
	if findAttribute(provider.Attributes, "region") == nil || findBlock(provider.BlockTypes, "default_tags") == nil {
		t.Errorf("provider block = %+v, want region and default_tags", provider)
	}
}

func TestTheEmbeddedProviderBlockHasWhatTheEnvironmentsSet(t *testing.T) {
	// Given the provider-configuration block embedded in the binary, When it is converted
	schema, err := LoadSchemas(writeDocument(t, `{"provider_schemas": {"p": {}}}`), "p", providerConfigSchema, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Then it has the arguments terraform/environments/*/versions.tf use
	if findAttribute(schema.Provider.Block.Attributes, "region") == nil || findBlock(schema.Provider.Block.BlockTypes, "default_tags") == nil {
		t.Error("the embedded provider block lacks region or default_tags")
	}
}

func TestRejectsAnUnknownType(t *testing.T) {
	// Given a type the JSON form does not have, When it is parsed, Then it is an error
	if _, err := parseType([]byte(`["vector", "string"]`)); err == nil {
		t.Error("parseType accepted an unknown kind")
	}
}

func TestAMissingProviderIsNamed(t *testing.T) {
	// Given a document without the provider asked for, When it is loaded, Then the error says so
	_, err := LoadSchemas(writeDocument(t, `{"provider_schemas": {"other": {}}}`), "registry.terraform.io/hashicorp/aws", nil, nil)
	if err == nil {
		t.Fatal("LoadSchemas accepted a document without the provider")
	}
}

func writeDocument(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.json")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOnlyTheNamedTypesAreServed(t *testing.T) {
	// Given a document with aws_thing and aws_region, When it is loaded for aws_thing and a
	// name the document lacks
	path := filepath.Join(t.TempDir(), "aws.json")
	if err := os.WriteFile(path, []byte(document), 0o600); err != nil {
		t.Fatal(err)
	}
	schemas, err := LoadSchemas(path, "registry.terraform.io/hashicorp/aws", []byte(fallbackProvider), map[string]bool{"aws_thing": true, "aws_thign": true})
	if err != nil {
		t.Fatal(err)
	}
	// Then only aws_thing is served: the data source is left out, the unknown name stays unknown
	if len(schemas.Resources) != 1 || schemas.Resources["aws_thing"] == nil || len(schemas.DataSources) != 0 {
		t.Errorf("resources %v, data sources %v", sortedKeys(schemas.Resources), sortedKeys(schemas.DataSources))
	}
}
