package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// fakeCluster is a Temporal frontend as setup sees it: a namespace (or
// none) with search attributes, and a switch that makes it refuse every
// change as Temporal Cloud does.
type fakeCluster struct {
	client.Client // not called: setup only uses the two services below

	// cloud refuses RegisterNamespace, UpdateNamespace and
	// AddSearchAttributes with refusal.
	cloud   bool
	refusal error
	// listRefused refuses ListSearchAttributes too.
	listRefused bool

	namespace  string // "" is none
	retention  time.Duration
	attributes map[string]enumspb.IndexedValueType
	calls      []string
}

func (f *fakeCluster) WorkflowService() workflowservice.WorkflowServiceClient {
	return fakeWorkflowService{f: f}
}

func (f *fakeCluster) OperatorService() operatorservice.OperatorServiceClient {
	return fakeOperatorService{f: f}
}

// fakeWorkflowService and fakeOperatorService are the fakeCluster's two
// services; a method setup doesn't call panics (nil embedded interface).
type fakeWorkflowService struct {
	workflowservice.WorkflowServiceClient
	f *fakeCluster
}

type fakeOperatorService struct {
	operatorservice.OperatorServiceClient
	f *fakeCluster
}

func (w fakeWorkflowService) DescribeNamespace(_ context.Context, r *workflowservice.DescribeNamespaceRequest, _ ...grpc.CallOption) (*workflowservice.DescribeNamespaceResponse, error) {
	f := w.f
	f.calls = append(f.calls, "DescribeNamespace")
	if r.GetNamespace() != f.namespace {
		return nil, serviceerror.NewNamespaceNotFound(r.GetNamespace())
	}
	return &workflowservice.DescribeNamespaceResponse{Config: &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(f.retention)}}, nil
}

func (w fakeWorkflowService) RegisterNamespace(_ context.Context, r *workflowservice.RegisterNamespaceRequest, _ ...grpc.CallOption) (*workflowservice.RegisterNamespaceResponse, error) {
	f := w.f
	f.calls = append(f.calls, "RegisterNamespace")
	if f.cloud {
		return nil, f.refusal
	}
	f.namespace, f.retention = r.GetNamespace(), r.GetWorkflowExecutionRetentionPeriod().AsDuration()
	return &workflowservice.RegisterNamespaceResponse{}, nil
}

func (w fakeWorkflowService) UpdateNamespace(_ context.Context, r *workflowservice.UpdateNamespaceRequest, _ ...grpc.CallOption) (*workflowservice.UpdateNamespaceResponse, error) {
	f := w.f
	f.calls = append(f.calls, "UpdateNamespace")
	if f.cloud {
		return nil, f.refusal
	}
	f.retention = r.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration()
	return &workflowservice.UpdateNamespaceResponse{}, nil
}

func (o fakeOperatorService) ListSearchAttributes(_ context.Context, r *operatorservice.ListSearchAttributesRequest, _ ...grpc.CallOption) (*operatorservice.ListSearchAttributesResponse, error) {
	f := o.f
	f.calls = append(f.calls, "ListSearchAttributes")
	if f.listRefused {
		return nil, f.refusal
	}
	if r.GetNamespace() != f.namespace {
		return nil, serviceerror.NewNamespaceNotFound(r.GetNamespace())
	}
	out := map[string]enumspb.IndexedValueType{}
	for k, v := range f.attributes {
		out[k] = v
	}
	return &operatorservice.ListSearchAttributesResponse{CustomAttributes: out}, nil
}

func (o fakeOperatorService) AddSearchAttributes(_ context.Context, r *operatorservice.AddSearchAttributesRequest, _ ...grpc.CallOption) (*operatorservice.AddSearchAttributesResponse, error) {
	f := o.f
	f.calls = append(f.calls, "AddSearchAttributes")
	if f.cloud {
		return nil, f.refusal
	}
	if f.attributes == nil {
		f.attributes = map[string]enumspb.IndexedValueType{}
	}
	for k, v := range r.GetSearchAttributes() {
		f.attributes[k] = v
	}
	return &operatorservice.AddSearchAttributesResponse{}, nil
}

// allAttributes are incidentflow's search attributes, with their types.
func allAttributes() map[string]enumspb.IndexedValueType {
	return wfapi.SearchAttributeTypes()
}

const (
	cloudNS   = "incidents.a1b2c"
	cloudAddr = "incidents.a1b2c.tmprl.cloud:7233"
	month     = 30 * 24 * time.Hour
)

func setUpFake(t *testing.T, f *fakeCluster) (setupOutcome, error) {
	t.Helper()
	return setUpCluster(context.Background(), f, cloudNS, cloudAddr, month, wfapi.SearchAttributeTypes())
}

func wantLines(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("setup succeeded, want it to fail")
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("setup's error lacks %q:\n%s", w, err)
		}
	}
}

func TestSetUpSelfHosted(t *testing.T) {
	f := &fakeCluster{}
	o, err := setUpFake(t, f)
	if err != nil || !o.Managed {
		t.Fatalf("outcome %+v, %v", o, err)
	}
	if f.namespace != cloudNS || f.retention != month || len(f.attributes) != len(wfapi.SearchAttributeNames()) {
		t.Errorf("cluster after setup: %+v", f)
	}
}

func TestSetUpCloudReady(t *testing.T) {
	for name, refusal := range map[string]error{
		"permission denied": serviceerror.NewPermissionDenied("Request unauthorized.", ""),
		"unimplemented":     serviceerror.NewUnimplemented("method not supported"),
	} {
		t.Run(name, func(t *testing.T) {
			f := &fakeCluster{cloud: true, refusal: refusal, namespace: cloudNS, retention: 7 * 24 * time.Hour, attributes: allAttributes()}
			o, err := setUpFake(t, f)
			if err != nil || o.Managed {
				t.Fatalf("outcome %+v, %v; want checked, not managed, and no error", o, err)
			}
			if len(o.Notes) != 1 || !strings.Contains(o.Notes[0], "tcld namespace retention set --namespace incidents.a1b2c --retention-days 30") {
				t.Errorf("notes = %q, want the retention command", o.Notes)
			}
			var out bytes.Buffer
			printSetup(&out, cloudAddr, cloudNS, month, o)
			if !strings.Contains(out.String(), "is ready") || !strings.Contains(out.String(), "setup only checked") {
				t.Errorf("printed %q", out.String())
			}
		})
	}
}

func TestSetUpCloudMissingAttributes(t *testing.T) {
	have := allAttributes()
	delete(have, "IncidentSeverity")
	delete(have, "IncidentSource")
	delete(have, "IncidentDeclaredAt")
	f := &fakeCluster{cloud: true, refusal: serviceerror.NewPermissionDenied("Request unauthorized.", ""), namespace: cloudNS, retention: month, attributes: have}
	_, err := setUpFake(t, f)
	wantLines(t, err,
		"lacks incidentflow's search attributes IncidentDeclaredAt, IncidentSeverity, IncidentSource",
		`tcld namespace search-attributes add --namespace incidents.a1b2c --search-attribute "IncidentDeclaredAt=Datetime" --search-attribute "IncidentSeverity=Keyword" --search-attribute "IncidentSource=Keyword"`,
		"Temporal Cloud UI: Namespaces → incidents.a1b2c → Search Attributes",
		"IncidentDeclaredAt (type Datetime)",
		"run `incidentflow setup` again")
	if strings.Contains(err.Error(), "IncidentStatus") {
		t.Errorf("the command adds an attribute that is there:\n%s", err)
	}
}

func TestSetUpCloudNoNamespace(t *testing.T) {
	f := &fakeCluster{cloud: true, refusal: serviceerror.NewPermissionDenied("Request unauthorized.", "")}
	_, err := setUpFake(t, f)
	wantLines(t, err,
		"namespace incidents.a1b2c does not exist on the Temporal at "+cloudAddr,
		"tcld namespace create --namespace incidents --region <region> --retention-days 30",
		"Namespaces → Create Namespace",
		`--search-attribute "IncidentSeverity=Keyword"`)
	for _, c := range f.calls {
		if c == "AddSearchAttributes" {
			t.Error("setup tried to add search attributes to a namespace that does not exist")
		}
	}
}

func TestSetUpCloudCannotList(t *testing.T) {
	f := &fakeCluster{cloud: true, listRefused: true, refusal: serviceerror.NewPermissionDenied("Request unauthorized.", ""), namespace: cloudNS, retention: month}
	_, err := setUpFake(t, f)
	wantLines(t, err, "does not let incidentflow add or even list", "tcld namespace search-attributes add --namespace incidents.a1b2c")
}

func TestSetUpCloudWrongType(t *testing.T) {
	have := allAttributes()
	have["IncidentStatus"] = enumspb.INDEXED_VALUE_TYPE_TEXT
	// Retention as asked: setup gets as far as listing the attributes.
	f := &fakeCluster{cloud: true, refusal: serviceerror.NewPermissionDenied("no", ""), namespace: cloudNS, retention: month, attributes: have}
	_, err := setUpFake(t, f)
	wantLines(t, err, `search attribute IncidentStatus already exists in namespace "incidents.a1b2c" with type Text, want Keyword`)
	// Another retention: the refused UpdateNamespace sends setup to its checks.
	f.retention = 7 * 24 * time.Hour
	_, err = setUpFake(t, f)
	wantLines(t, err, "IncidentStatus exists in namespace incidents.a1b2c with type Text, but incidentflow needs it Keyword")
}

func TestSetUpOtherErrorsAreNotCloud(t *testing.T) {
	f := &fakeCluster{cloud: true, refusal: serviceerror.NewInvalidArgument("bad retention")}
	_, err := setUpFake(t, f)
	wantLines(t, err, "setting up namespace incidents.a1b2c on "+cloudAddr, "bad retention")
	if strings.Contains(err.Error(), "tcld") {
		t.Errorf("a plain failure reads as Temporal Cloud:\n%s", err)
	}
}

func TestRetentionDays(t *testing.T) {
	for d, want := range map[time.Duration]int{time.Hour: 1, 24 * time.Hour: 1, 25 * time.Hour: 2, month: 30} {
		if got := retentionDays(d); got != want {
			t.Errorf("retentionDays(%s) = %d, want %d", d, got, want)
		}
	}
}
