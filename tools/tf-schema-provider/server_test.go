package main

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func proposedThing(t *testing.T, schema *tfprotov6.Schema, arn tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	typ := schema.ValueType().(tftypes.Object)
	ruleType := typ.AttributeTypes["rule"].(tftypes.List).ElementType
	values := map[string]tftypes.Value{}
	for name, attrType := range typ.AttributeTypes {
		values[name] = tftypes.NewValue(attrType, nil)
	}
	values["name"] = tftypes.NewValue(tftypes.String, "first")
	values["arn"] = arn
	values["rule"] = tftypes.NewValue(typ.AttributeTypes["rule"], []tftypes.Value{
		tftypes.NewValue(ruleType, map[string]tftypes.Value{
			"id":     tftypes.NewValue(tftypes.String, "r1"),
			"status": tftypes.NewValue(tftypes.String, nil),
		}),
	})
	proposed, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, values))
	if err != nil {
		t.Fatal(err)
	}
	return &proposed
}

func planThing(t *testing.T, proposed *tfprotov6.DynamicValue) map[string]tftypes.Value {
	t.Helper()
	srv := &server{schemas: loadTestSchemas(t)}
	resp, err := srv.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{TypeName: "aws_thing", ProposedNewState: proposed})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("plan: %v %+v", err, resp.Diagnostics)
	}
	planned, err := resp.PlannedState.Unmarshal(srv.schemas.Resources["aws_thing"].ValueType())
	if err != nil {
		t.Fatal(err)
	}
	var attributes map[string]tftypes.Value
	if err := planned.As(&attributes); err != nil {
		t.Fatal(err)
	}
	return attributes
}

func TestPlanMarksUnsetComputedValuesUnknown(t *testing.T) {
	// Given a new object whose computed attributes nobody set
	schema := loadTestSchemas(t).Resources["aws_thing"]
	// When it is planned
	planned := planThing(t, proposedThing(t, schema, tftypes.NewValue(tftypes.String, nil)))
	// Then computed values (in nested blocks too) are unknown, configured ones kept, and
	// optional-only ones left null
	if planned["arn"].IsKnown() || planned["id"].IsKnown() {
		t.Errorf("arn and id must be unknown: %v %v", planned["arn"], planned["id"])
	}
	var rules []tftypes.Value
	if err := planned["rule"].As(&rules); err != nil {
		t.Fatal(err)
	}
	var rule map[string]tftypes.Value
	if err := rules[0].As(&rule); err != nil {
		t.Fatal(err)
	}
	if rule["status"].IsKnown() || !rule["id"].Equal(tftypes.NewValue(tftypes.String, "r1")) {
		t.Errorf("rule = %v, want id r1 and status unknown", rule)
	}
	if !planned["name"].Equal(tftypes.NewValue(tftypes.String, "first")) || !planned["tags"].IsNull() {
		t.Errorf("name = %v, tags = %v", planned["name"], planned["tags"])
	}
}

func TestPlanKeepsComputedValuesTheProposalCarries(t *testing.T) {
	// Given an update whose proposal carries the arn from the prior state
	schema := loadTestSchemas(t).Resources["aws_thing"]
	arn := tftypes.NewValue(tftypes.String, "arn:aws:thing:1")
	// When it is planned, Then the arn stays as it was
	if planned := planThing(t, proposedThing(t, schema, arn)); !planned["arn"].Equal(arn) {
		t.Errorf("arn = %v, want it kept", planned["arn"])
	}
}

func TestCallsThatNeedAwsFailWithADiagnostic(t *testing.T) {
	// Given the provider, When a data source is read, Then it answers with an error diagnostic
	srv := &server{schemas: loadTestSchemas(t)}
	resp, err := srv.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{TypeName: "aws_region"})
	if err != nil || len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Severity != tfprotov6.DiagnosticSeverityError {
		t.Errorf("ReadDataSource = %+v, %v; want one error diagnostic", resp, err)
	}
}
