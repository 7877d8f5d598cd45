package wfapi

// NotAllowedError is the type of the application error with which an
// incident's update fails when the permission model refuses it; its message
// is the refusal's sentence, which says who can do it (incident.Refusal).
const NotAllowedError = "NotAllowed"
