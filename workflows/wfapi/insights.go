package wfapi

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// MemoInsights is the memo field where IncidentWorkflow keeps the JSON of
// the incident's insights.Record, and RetrospectiveWorkflow the JSON of its
// insights.Retrospective, current at every milestone, so that the figures
// are read from visibility in one pass (no query to each workflow, and
// while no worker runs). Workflows begun before it was recorded lack it.
const MemoInsights = "insights"

// Datetime search attributes of every incident workflow, so that visibility
// can choose the incidents of a period: SearchDeclaredAt is set when the
// workflow starts (the declaration's time) and carried over when it
// continues as new, SearchResolvedAt once the incident is resolved. SQL
// visibility (SQLite, PostgreSQL) has room for three custom Datetime
// attributes; these are two.
var (
	SearchDeclaredAt = temporal.NewSearchAttributeKeyTime("IncidentDeclaredAt")
	SearchResolvedAt = temporal.NewSearchAttributeKeyTime("IncidentResolvedAt")
)

// SearchAttributeTypes maps every search attribute of SearchAttributeNames
// to its type (Keyword, or Datetime for SearchDeclaredAt and
// SearchResolvedAt), for registering them on a cluster; the type's String
// is how tcld and the temporal CLI spell it.
func SearchAttributeTypes() map[string]enumspb.IndexedValueType {
	types := map[string]enumspb.IndexedValueType{}
	for _, name := range SearchAttributeNames() {
		types[name] = enumspb.INDEXED_VALUE_TYPE_KEYWORD
	}
	types[SearchDeclaredAt.GetName()] = enumspb.INDEXED_VALUE_TYPE_DATETIME
	types[SearchResolvedAt.GetName()] = enumspb.INDEXED_VALUE_TYPE_DATETIME
	return types
}
