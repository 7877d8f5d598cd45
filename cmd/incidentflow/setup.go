package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/incidentflow/incidentflow/devserver"
	"github.com/incidentflow/incidentflow/workflows/wfapi"
)

// setupOutcome is what `incidentflow setup` found and did.
type setupOutcome struct {
	// Managed is true when the cluster let setup register the namespace,
	// its retention and its search attributes itself (a self-hosted
	// cluster); false when it refused (Temporal Cloud) and setup only
	// checked.
	Managed bool
	// Notes are lines worth printing even on success (a retention setup
	// could not change).
	Notes []string
}

// setUpCluster prepares namespace on the cluster c talks to (at addr):
// devserver.Setup on a cluster that lets clients manage namespaces. A
// cluster that refuses (PermissionDenied or Unimplemented, as Temporal
// Cloud answers the operator API) is only checked: it succeeds when the
// namespace exists with every search attribute in attrs, of its type, and
// otherwise fails with the exact tcld command and Cloud UI step that fix
// it, one a line.
func setUpCluster(ctx context.Context, c client.Client, namespace, addr string, retention time.Duration, attrs map[string]enumspb.IndexedValueType) (setupOutcome, error) {
	err := devserver.Setup(ctx, c, namespace, retention, attrs)
	if err == nil {
		return setupOutcome{Managed: true}, nil
	}
	if !refusedByCluster(err) {
		return setupOutcome{}, fmt.Errorf("setting up namespace %s on %s: %w", namespace, addr, err)
	}
	return checkManagedElsewhere(ctx, c, namespace, addr, retention, attrs)
}

// checkManagedElsewhere checks a cluster whose namespaces are managed
// outside incidentflow (Temporal Cloud) for what setup would have made.
func checkManagedElsewhere(ctx context.Context, c client.Client, namespace, addr string, retention time.Duration, attrs map[string]enumspb.IndexedValueType) (setupOutcome, error) {
	out := setupOutcome{}
	names := slices.Sorted(maps.Keys(attrs))
	days := retentionDays(retention)
	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
	var notFound *serviceerror.NamespaceNotFound
	switch {
	case errors.As(err, &notFound):
		return out, lines(
			fmt.Sprintf("namespace %s does not exist on the Temporal at %s, and this cluster does not let incidentflow create it (on Temporal Cloud, namespaces are created in Cloud):", namespace, addr),
			fmt.Sprintf("  tcld namespace create --namespace %s --region <region> --retention-days %d --ca-certificate-file <ca.pem of your client certificates>", cloudName(namespace), days),
			"  or in the Temporal Cloud UI: Namespaces → Create Namespace (name "+cloudName(namespace)+fmt.Sprintf(", retention %d days)", days),
			"then add incidentflow's search attributes:",
			searchAttributesCommand(namespace, names, attrs),
			"and run `incidentflow setup` again.",
		)
	case err != nil:
		return out, fmt.Errorf("this cluster does not let incidentflow set up namespace %s, and describing it failed too: %w", namespace, err)
	}
	if have := desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); have > 0 && have != retention {
		out.Notes = append(out.Notes, fmt.Sprintf("namespace %s keeps closed incidents %s, not the %s asked for (this cluster does not let incidentflow change it); to change it: tcld namespace retention set --namespace %s --retention-days %d",
			namespace, have, retention, namespace, days))
	}

	list, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		if refusedByCluster(err) {
			return out, lines(
				fmt.Sprintf("this cluster does not let incidentflow add or even list the search attributes of namespace %s (%s); make sure it has them:", namespace, status.Code(err)),
				searchAttributesCommand(namespace, names, attrs),
				cloudUIStep(namespace, names, attrs),
			)
		}
		return out, fmt.Errorf("listing the search attributes of namespace %s on %s: %w", namespace, addr, err)
	}
	var missing []string
	for _, name := range names {
		typ, ok := list.GetCustomAttributes()[name]
		if !ok {
			typ, ok = list.GetSystemAttributes()[name]
		}
		switch {
		case !ok:
			missing = append(missing, name)
		case typ != attrs[name]:
			return out, fmt.Errorf("search attribute %s exists in namespace %s with type %s, but incidentflow needs it %s: remove it in Temporal Cloud (Namespaces → %s → Search Attributes) and run `incidentflow setup` again",
				name, namespace, typ, attrs[name], namespace)
		}
	}
	if len(missing) > 0 {
		return out, lines(
			fmt.Sprintf("namespace %s lacks incidentflow's search attributes %s, and this cluster does not let incidentflow add them (on Temporal Cloud they are added in Cloud):", namespace, strings.Join(missing, ", ")),
			searchAttributesCommand(namespace, missing, attrs),
			cloudUIStep(namespace, missing, attrs),
			"then run `incidentflow setup` again.",
		)
	}
	return out, nil
}

// refusedByCluster reports whether err is a cluster refusing to let
// clients manage namespaces: PermissionDenied or Unimplemented, as
// Temporal Cloud answers RegisterNamespace, UpdateNamespace and the
// operator API.
func refusedByCluster(err error) bool {
	var denied *serviceerror.PermissionDenied
	var unimplemented *serviceerror.Unimplemented
	if errors.As(err, &denied) || errors.As(err, &unimplemented) {
		return true
	}
	code := status.Code(err)
	return code == codes.PermissionDenied || code == codes.Unimplemented
}

// searchAttributesCommand is the tcld command that adds names, of their
// types in attrs, to namespace.
func searchAttributesCommand(namespace string, names []string, attrs map[string]enumspb.IndexedValueType) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  tcld namespace search-attributes add --namespace %s", namespace)
	for _, n := range names {
		fmt.Fprintf(&b, " --search-attribute %q", n+"="+attrs[n].String())
	}
	return b.String()
}

// cloudUIStep is the Temporal Cloud UI step that adds names, of their types
// in attrs, to namespace.
func cloudUIStep(namespace string, names []string, attrs map[string]enumspb.IndexedValueType) string {
	each := make([]string, len(names))
	for i, n := range names {
		each[i] = n + " (type " + attrs[n].String() + ")"
	}
	return fmt.Sprintf("  or in the Temporal Cloud UI: Namespaces → %s → Search Attributes → Add, once for each of %s", namespace, strings.Join(each, ", "))
}

// cloudName is the name a Temporal Cloud namespace is created with: the
// part of namespace before its account ID (name.account).
func cloudName(namespace string) string {
	if i := strings.LastIndex(namespace, "."); i > 0 {
		return namespace[:i]
	}
	return namespace
}

// retentionDays is retention in whole days, rounded up, at least 1: what
// Temporal Cloud takes.
func retentionDays(retention time.Duration) int {
	days := int((retention + 24*time.Hour - 1) / (24 * time.Hour))
	return max(days, 1)
}

// lines joins ls into one error, one a line.
func lines(ls ...string) error {
	return errors.New(strings.Join(ls, "\n"))
}

// printSetup prints what setup did for namespace at addr.
func printSetup(out io.Writer, addr, namespace string, retention time.Duration, o setupOutcome) {
	names := wfapi.SearchAttributeNames()
	if o.Managed {
		fmt.Fprintf(out, "Temporal at %s is ready: namespace %s, retention %s, search attributes %v\n", addr, namespace, retention, names)
		return
	}
	fmt.Fprintf(out, "Temporal at %s is ready: namespace %s has search attributes %v (this cluster manages its namespaces itself, as Temporal Cloud does, so setup only checked)\n", addr, namespace, names)
	for _, n := range o.Notes {
		fmt.Fprintln(out, "  note: "+n)
	}
}
