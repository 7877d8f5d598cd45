package devserver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Setup prepares namespace on the cluster c talks to, for the embedded dev
// server (Start calls it) and for `incidentflow setup` on an external
// cluster. It registers the namespace if it is missing, sets its workflow
// retention (retention <= 0 means DefaultRetention) and adds every search
// attribute in searchAttributes that is missing, with its type, through
// OperatorService().AddSearchAttributes. It is idempotent: running it again
// changes nothing. An attribute that already exists with another type is an
// error.
func Setup(ctx context.Context, c client.Client, namespace string, retention time.Duration, searchAttributes map[string]enumspb.IndexedValueType) error {
	_, err := setup(ctx, c, namespace, retention, searchAttributes)
	return err
}

// setup is Setup, reporting whether it added search attributes.
func setup(ctx context.Context, c client.Client, namespace string, retention time.Duration, searchAttributes map[string]enumspb.IndexedValueType) (added bool, err error) {
	if namespace == "" {
		return false, errors.New("setup: namespace is empty")
	}
	if retention <= 0 {
		retention = DefaultRetention
	}
	for name, typ := range searchAttributes {
		if name == "" {
			return false, errors.New("setup: empty search attribute name")
		}
		if typ == enumspb.INDEXED_VALUE_TYPE_UNSPECIFIED {
			return false, fmt.Errorf("setup: search attribute %s has no type", name)
		}
	}
	if err := ensureNamespace(ctx, c, namespace, retention); err != nil {
		return false, err
	}
	return ensureSearchAttributes(ctx, c, namespace, searchAttributes)
}

func ensureNamespace(ctx context.Context, c client.Client, namespace string, retention time.Duration) error {
	ws := c.WorkflowService()
	describe := func() (desc *workflowservice.DescribeNamespaceResponse, err error) {
		err = retry(ctx, func() error {
			desc, err = ws.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
			return err
		}, isUnavailable)
		return desc, err
	}
	desc, err := describe()
	var notFound *serviceerror.NamespaceNotFound
	if errors.As(err, &notFound) {
		_, err = ws.RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace:                        namespace,
			Description:                      "incidentflow incidents",
			WorkflowExecutionRetentionPeriod: durationpb.New(retention),
		})
		if err == nil {
			return nil
		}
		var exists *serviceerror.NamespaceAlreadyExists
		if !errors.As(err, &exists) {
			return fmt.Errorf("register namespace %q: %w", namespace, err)
		}
		// Registered concurrently by someone else: check its retention below.
		desc, err = describe()
	}
	if err != nil {
		return fmt.Errorf("describe namespace %q: %w", namespace, err)
	}
	if desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() == retention {
		return nil
	}
	_, err = ws.UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
		Namespace: namespace,
		Config: &namespacepb.NamespaceConfig{
			WorkflowExecutionRetentionTtl: durationpb.New(retention),
		},
	})
	if err != nil {
		return fmt.Errorf("set retention of namespace %q to %s: %w", namespace, retention, err)
	}
	return nil
}

// ensureSearchAttributes adds those of attributes namespace lacks, and
// reports whether there were any.
func ensureSearchAttributes(ctx context.Context, c client.Client, namespace string, attributes map[string]enumspb.IndexedValueType) (bool, error) {
	if len(attributes) == 0 {
		return false, nil
	}
	ops := c.OperatorService()
	var list *operatorservice.ListSearchAttributesResponse
	err := retry(ctx, func() error {
		var err error
		list, err = ops.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
		return err
	}, isTransientForSearchAttributes)
	if err != nil {
		return false, fmt.Errorf("list search attributes of namespace %q: %w", namespace, err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	names := make([]string, 0, len(attributes))
	for name := range attributes {
		names = append(names, name)
	}
	slices.Sort(names) // the first conflict named is always the same
	for _, name := range names {
		want := attributes[name]
		typ, ok := list.GetCustomAttributes()[name]
		if !ok {
			typ, ok = list.GetSystemAttributes()[name]
		}
		switch {
		case !ok:
			missing[name] = want
		case typ != want:
			return false, fmt.Errorf("search attribute %s already exists in namespace %q with type %s, want %s: remove it or use another name", name, namespace, typ, want)
		}
	}
	if len(missing) == 0 {
		return false, nil
	}
	err = retry(ctx, func() error {
		_, err := ops.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
			Namespace:        namespace,
			SearchAttributes: missing,
		})
		return err
	}, isTransientForSearchAttributes)
	var exists *serviceerror.AlreadyExists
	if err != nil && !errors.As(err, &exists) {
		keys := make([]string, 0, len(missing))
		for k := range missing {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return false, fmt.Errorf("add search attributes %v to namespace %q: %w", keys, namespace, err)
	}
	return true, nil
}

// isUnavailable reports errors worth retrying while a server comes up.
func isUnavailable(err error) bool {
	var unavailable *serviceerror.Unavailable
	var exhausted *serviceerror.ResourceExhausted
	var deadline *serviceerror.DeadlineExceeded
	return errors.As(err, &unavailable) || errors.As(err, &exhausted) || errors.As(err, &deadline)
}

// isTransientForSearchAttributes is isUnavailable plus NamespaceNotFound:
// the namespace exists (ensureNamespace has just seen or made it), but one
// registered a moment ago reaches the frontend's namespace cache only
// within a few seconds.
func isTransientForSearchAttributes(err error) bool {
	var notFound *serviceerror.NamespaceNotFound
	return isUnavailable(err) || errors.As(err, &notFound)
}

// retryFor bounds how long retry keeps trying.
const retryFor = 30 * time.Second

// retry calls f until it succeeds, fails with an error retryable rejects,
// ctx ends or retryFor has passed; then it returns f's last error.
func retry(ctx context.Context, f func() error, retryable func(error) bool) error {
	wait, giveUp := 50*time.Millisecond, time.After(retryFor)
	for {
		err := f()
		if err == nil || !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-giveUp:
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}
