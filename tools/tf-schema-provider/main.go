// Command tf-schema-provider is a hashicorp/aws provider that knows only the provider's
// schema, read from a `terraform providers schema -json` document. It lets `tofu validate`
// and `tofu test` with mock_provider run offline; it never calls AWS. See README.md.
package main

import (
	_ "embed"
	"flag"
	"fmt"
	"os"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// SchemaFileVariable names the schema document when tofu starts the provider (it passes no
// arguments); `make tf-check` sets it.
const SchemaFileVariable = "FACEAUTH_TF_SCHEMA_FILE"

// SchemaTypesVariable, when set, lists (space- or comma-separated) the only types to serve:
// `make tf-check` sets it to every aws_* type the checked configuration and its tests name,
// which makes each of tofu's many provider starts several times faster.
const SchemaTypesVariable = "FACEAUTH_TF_SCHEMA_TYPES"

// The provider-configuration block (`provider "aws" {...}`), used when the schema document
// has an empty one. Derived from the cdktn-provider-aws jsii assembly; see README.md.
//
//go:embed provider_config.json
var providerConfigSchema []byte

func main() {
	schemaFile := flag.String("schema", os.Getenv(SchemaFileVariable), "the `terraform providers schema -json` document (default $"+SchemaFileVariable+")")
	address := flag.String("provider", "registry.terraform.io/hashicorp/aws", "the provider's entry in the document")
	check := flag.Bool("check", false, "load the schema, print what it holds and exit (no plugin server)")
	flag.Parse()

	var only map[string]bool
	if types := strings.FieldsFunc(os.Getenv(SchemaTypesVariable), func(r rune) bool { return r == ',' || unicode.IsSpace(r) }); len(types) > 0 {
		only = make(map[string]bool, len(types))
		for _, name := range types {
			only[name] = true
		}
	}

	srv := &server{}
	if *schemaFile == "" {
		srv.loadErr = fmt.Errorf("no schema document: set %s to a `providers schema -json` file (make tf-check does)", SchemaFileVariable)
	} else {
		srv.schemas, srv.loadErr = LoadSchemas(*schemaFile, *address, providerConfigSchema, only)
	}

	if *check {
		if srv.loadErr != nil {
			fmt.Fprintln(os.Stderr, srv.loadErr)
			os.Exit(1)
		}
		fmt.Printf("%s: %d resources, %d data sources, %d ephemeral resources, provider block with %d attributes and %d blocks\n",
			*schemaFile, len(srv.schemas.Resources), len(srv.schemas.DataSources), len(srv.schemas.EphemeralResources),
			len(srv.schemas.Provider.Block.Attributes), len(srv.schemas.Provider.Block.BlockTypes))
		return
	}

	if err := tf6server.Serve(*address, func() tfprotov6.ProviderServer { return srv }); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
