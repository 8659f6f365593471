package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The shape `terraform providers schema -json` (and `tofu providers schema -json`) prints.
type schemaDocument struct {
	FormatVersion   string                     `json:"format_version"`
	ProviderSchemas map[string]*providerSchema `json:"provider_schemas"`
}

// Each type's schema stays raw until it is kept: decoding only what is served is most of
// the start-up time saved when tofu starts the provider again and again.
type providerSchema struct {
	Provider                 *jsonSchema                `json:"provider"`
	ResourceSchemas          map[string]json.RawMessage `json:"resource_schemas"`
	DataSourceSchemas        map[string]json.RawMessage `json:"data_source_schemas"`
	EphemeralResourceSchemas map[string]json.RawMessage `json:"ephemeral_resource_schemas"`
}

type jsonSchema struct {
	Version int64      `json:"version"`
	Block   *jsonBlock `json:"block"`
}

type jsonBlock struct {
	Attributes      map[string]*jsonAttribute   `json:"attributes"`
	BlockTypes      map[string]*jsonNestedBlock `json:"block_types"`
	Description     string                      `json:"description"`
	DescriptionKind string                      `json:"description_kind"`
	Deprecated      bool                        `json:"deprecated"`
}

type jsonAttribute struct {
	Type            json.RawMessage `json:"type"`
	NestedType      *jsonObject     `json:"nested_type"`
	Description     string          `json:"description"`
	DescriptionKind string          `json:"description_kind"`
	Required        bool            `json:"required"`
	Optional        bool            `json:"optional"`
	Computed        bool            `json:"computed"`
	Sensitive       bool            `json:"sensitive"`
	Deprecated      bool            `json:"deprecated"`
	WriteOnly       bool            `json:"write_only"`
}

type jsonObject struct {
	Attributes  map[string]*jsonAttribute `json:"attributes"`
	NestingMode string                    `json:"nesting_mode"`
}

type jsonNestedBlock struct {
	NestingMode string     `json:"nesting_mode"`
	Block       *jsonBlock `json:"block"`
	MinItems    int64      `json:"min_items"`
	MaxItems    int64      `json:"max_items"`
}

// Schemas is one provider's schema in protocol 6 form, with each type's value type at hand.
type Schemas struct {
	Provider           *tfprotov6.Schema
	Resources          map[string]*tfprotov6.Schema
	DataSources        map[string]*tfprotov6.Schema
	EphemeralResources map[string]*tfprotov6.Schema
}

// LoadSchemas reads a schema document and converts the entry of providerAddress. An empty
// provider-configuration block in the document is replaced by fallbackProvider. With a
// non-nil only, just the types it names are served (any kind): a configuration that names
// no other needs no other, and a name missing from the document stays missing.
func LoadSchemas(path, providerAddress string, fallbackProvider []byte, only map[string]bool) (*Schemas, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the provider schema: %w", err)
	}
	var doc schemaDocument
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: not a `providers schema -json` document: %w", path, err)
	}
	entry, ok := doc.ProviderSchemas[providerAddress]
	if !ok {
		return nil, fmt.Errorf("%s has no schema for %s (it has %v)", path, providerAddress, sortedKeys(doc.ProviderSchemas))
	}
	if entry.Provider == nil || entry.Provider.Block == nil || isEmptyBlock(entry.Provider.Block) {
		entry.Provider = &jsonSchema{}
		if err := json.Unmarshal(fallbackProvider, entry.Provider); err != nil {
			return nil, fmt.Errorf("the built-in provider-configuration schema: %w", err)
		}
	}
	return convertProviderSchema(entry, only)
}

func convertProviderSchema(entry *providerSchema, only map[string]bool) (*Schemas, error) {
	provider, err := convertSchema(entry.Provider)
	if err != nil {
		return nil, fmt.Errorf("provider configuration: %w", err)
	}
	schemas := &Schemas{Provider: provider}
	for _, kind := range []struct {
		in  map[string]json.RawMessage
		out *map[string]*tfprotov6.Schema
	}{
		{entry.ResourceSchemas, &schemas.Resources},
		{entry.DataSourceSchemas, &schemas.DataSources},
		{entry.EphemeralResourceSchemas, &schemas.EphemeralResources},
	} {
		*kind.out = make(map[string]*tfprotov6.Schema, len(kind.in))
		for name, raw := range kind.in {
			if only != nil && !only[name] {
				continue
			}
			var schema jsonSchema
			if err := json.Unmarshal(raw, &schema); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			converted, err := convertSchema(&schema)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			(*kind.out)[name] = converted
		}
	}
	return schemas, nil
}

func isEmptyBlock(block *jsonBlock) bool {
	return len(block.Attributes) == 0 && len(block.BlockTypes) == 0
}

func convertSchema(schema *jsonSchema) (*tfprotov6.Schema, error) {
	if schema == nil || schema.Block == nil {
		return &tfprotov6.Schema{Block: &tfprotov6.SchemaBlock{}}, nil
	}
	block, err := convertBlock(schema.Block)
	if err != nil {
		return nil, err
	}
	block.Version = schema.Version
	return &tfprotov6.Schema{Version: schema.Version, Block: block}, nil
}

func convertBlock(block *jsonBlock) (*tfprotov6.SchemaBlock, error) {
	out := &tfprotov6.SchemaBlock{
		Description:     block.Description,
		DescriptionKind: stringKind(block.DescriptionKind),
		Deprecated:      block.Deprecated,
	}
	attributes, err := convertAttributes(block.Attributes)
	if err != nil {
		return nil, err
	}
	out.Attributes = attributes
	for _, name := range sortedKeys(block.BlockTypes) {
		nested := block.BlockTypes[name]
		mode, ok := blockNestingModes[nested.NestingMode]
		if !ok {
			return nil, fmt.Errorf("block %s: unknown nesting mode %q", name, nested.NestingMode)
		}
		inner, err := convertBlock(nested.Block)
		if err != nil {
			return nil, fmt.Errorf("block %s: %w", name, err)
		}
		out.BlockTypes = append(out.BlockTypes, &tfprotov6.SchemaNestedBlock{
			TypeName: name,
			Block:    inner,
			Nesting:  mode,
			MinItems: nested.MinItems,
			MaxItems: nested.MaxItems,
		})
	}
	return out, nil
}

func convertAttributes(attributes map[string]*jsonAttribute) ([]*tfprotov6.SchemaAttribute, error) {
	var out []*tfprotov6.SchemaAttribute
	for _, name := range sortedKeys(attributes) {
		attribute := attributes[name]
		converted := &tfprotov6.SchemaAttribute{
			Name:            name,
			Description:     attribute.Description,
			DescriptionKind: stringKind(attribute.DescriptionKind),
			Required:        attribute.Required,
			Optional:        attribute.Optional,
			Computed:        attribute.Computed,
			Sensitive:       attribute.Sensitive,
			Deprecated:      attribute.Deprecated,
			WriteOnly:       attribute.WriteOnly,
		}
		switch {
		case attribute.NestedType != nil:
			mode, ok := objectNestingModes[attribute.NestedType.NestingMode]
			if !ok {
				return nil, fmt.Errorf("attribute %s: unknown nesting mode %q", name, attribute.NestedType.NestingMode)
			}
			inner, err := convertAttributes(attribute.NestedType.Attributes)
			if err != nil {
				return nil, fmt.Errorf("attribute %s: %w", name, err)
			}
			converted.NestedType = &tfprotov6.SchemaObject{Attributes: inner, Nesting: mode}
		case len(attribute.Type) > 0:
			typ, err := parseType(attribute.Type)
			if err != nil {
				return nil, fmt.Errorf("attribute %s: %w", name, err)
			}
			converted.Type = typ
		default:
			return nil, fmt.Errorf("attribute %s has neither a type nor a nested type", name)
		}
		out = append(out, converted)
	}
	return out, nil
}

var blockNestingModes = map[string]tfprotov6.SchemaNestedBlockNestingMode{
	"single": tfprotov6.SchemaNestedBlockNestingModeSingle,
	"list":   tfprotov6.SchemaNestedBlockNestingModeList,
	"set":    tfprotov6.SchemaNestedBlockNestingModeSet,
	"map":    tfprotov6.SchemaNestedBlockNestingModeMap,
	"group":  tfprotov6.SchemaNestedBlockNestingModeGroup,
}

var objectNestingModes = map[string]tfprotov6.SchemaObjectNestingMode{
	"single": tfprotov6.SchemaObjectNestingModeSingle,
	"list":   tfprotov6.SchemaObjectNestingModeList,
	"set":    tfprotov6.SchemaObjectNestingModeSet,
	"map":    tfprotov6.SchemaObjectNestingModeMap,
}

func stringKind(kind string) tfprotov6.StringKind {
	if kind == "markdown" {
		return tfprotov6.StringKindMarkdown
	}
	return tfprotov6.StringKindPlain
}

// parseType reads a type in the JSON form of the schema document: "string", "number",
// "bool", "dynamic", ["list"|"set"|"map", T], ["object", {name: T}] (optionally with a list of
// optional attribute names) or ["tuple", [T...]].
func parseType(raw json.RawMessage) (tftypes.Type, error) {
	var primitive string
	if err := json.Unmarshal(raw, &primitive); err == nil {
		switch primitive {
		case "string":
			return tftypes.String, nil
		case "number":
			return tftypes.Number, nil
		case "bool":
			return tftypes.Bool, nil
		case "dynamic":
			return tftypes.DynamicPseudoType, nil
		}
		return nil, fmt.Errorf("unknown primitive type %q", primitive)
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil || len(parts) < 2 {
		return nil, fmt.Errorf("invalid type %s", raw)
	}
	var kind string
	if err := json.Unmarshal(parts[0], &kind); err != nil {
		return nil, fmt.Errorf("invalid type %s", raw)
	}
	switch kind {
	case "list", "set", "map":
		element, err := parseType(parts[1])
		if err != nil {
			return nil, err
		}
		switch kind {
		case "list":
			return tftypes.List{ElementType: element}, nil
		case "set":
			return tftypes.Set{ElementType: element}, nil
		}
		return tftypes.Map{ElementType: element}, nil
	case "object":
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(parts[1], &fields); err != nil {
			return nil, fmt.Errorf("invalid object type %s", raw)
		}
		object := tftypes.Object{AttributeTypes: make(map[string]tftypes.Type, len(fields))}
		for name, field := range fields {
			typ, err := parseType(field)
			if err != nil {
				return nil, fmt.Errorf("object attribute %s: %w", name, err)
			}
			object.AttributeTypes[name] = typ
		}
		if len(parts) > 2 {
			var optional []string
			if err := json.Unmarshal(parts[2], &optional); err != nil {
				return nil, fmt.Errorf("invalid optional attributes in %s", raw)
			}
			object.OptionalAttributes = make(map[string]struct{}, len(optional))
			for _, name := range optional {
				object.OptionalAttributes[name] = struct{}{}
			}
		}
		return object, nil
	case "tuple":
		var elements []json.RawMessage
		if err := json.Unmarshal(parts[1], &elements); err != nil {
			return nil, fmt.Errorf("invalid tuple type %s", raw)
		}
		tuple := tftypes.Tuple{}
		for _, element := range elements {
			typ, err := parseType(element)
			if err != nil {
				return nil, err
			}
			tuple.ElementTypes = append(tuple.ElementTypes, typ)
		}
		return tuple, nil
	}
	return nil, fmt.Errorf("unknown type kind %q", kind)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}
