package main

import (
	"context"
	"fmt"
	"os"
	"sort"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

func (r *stormRun) debugHistories(ctx context.Context) {
	if os.Getenv("BENCH_HIST") == "" {
		return
	}
	resp, err := r.s.h.client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{PageSize: 1000})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	counts := map[string]map[string]int{}
	runs := map[string]int{}
	shown := map[string]bool{}
	for _, ex := range resp.GetExecutions() {
		typ := ex.GetType().GetName()
		runs[typ]++
		if counts[typ] == nil {
			counts[typ] = map[string]int{}
		}
		it := r.s.h.client.GetWorkflowHistory(ctx, ex.GetExecution().GetWorkflowId(), ex.GetExecution().GetRunId(), false, 0)
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				break
			}
			name := e.GetEventType().String()
			if a := e.GetActivityTaskScheduledEventAttributes(); a != nil {
				name += " " + a.GetActivityType().GetName()
			}
			if m := e.GetMarkerRecordedEventAttributes(); m != nil {
				name += " " + m.GetMarkerName()
			}
			counts[typ][name]++
			if !shown[typ] && typ == "IncidentWorkflow" {
				fmt.Fprintln(os.Stderr, "   ", e.GetEventTime().AsTime().Format("15:04:05.000"), name)
			}
		}
		shown[typ] = true
	}
	for typ, c := range counts {
		fmt.Fprintf(os.Stderr, "%s: %d runs\n", typ, runs[typ])
		keys := make([]string, 0, len(c))
		for k := range c {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(os.Stderr, "  %6.1f  %s\n", float64(c[k])/float64(runs[typ]), k)
		}
	}
	_ = client.QueryTypeStackTrace
}
