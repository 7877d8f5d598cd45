package slackemu

// Answer says what becomes of a call's answer once an AfterApplied hook has
// run.
type Answer int

const (
	// SendAnswer writes the answer as usual once the hook returns.
	SendAnswer Answer = iota
	// StallAnswer withholds the answer: the connection hangs until the
	// caller gives up or goes away (a killed process), or the server
	// closes. The call's effect stays applied, as when Slack did the work
	// but its answer never arrived. The call log shows the call with
	// status 499 and the error "answer_withheld".
	StallAnswer
)

// afterHook is one hook set with AfterApplied; left counts the successful
// calls still to go before it fires.
type afterHook struct {
	method string
	left   int
	answer Answer
	fn     func()
}

// AfterApplied runs hook right after the nth successful call of method,
// counted from now (1 is the next one), has been applied to the workspace
// (and, with a state file, written to its journal), before its answer is
// written; answer then says whether the answer is sent or withheld. A call
// is successful when it answers ok:true: Slack errors, injected faults and
// 429s don't count. method may be AnyMethod. A hook fires once; several
// hooks may wait at once; when two would fire on the same call, the one set
// first does and the other fires on its next counted call (one hook per
// call). hook runs on the goroutine
// serving the call, without the emulator's lock, so it may call the
// emulator (read its state, set faults) and may take as long as it needs,
// e.g. kill -9 the process that made the call and start it again. Reset
// removes hooks that have not fired.
func (s *Server) AfterApplied(method string, nth int, answer Answer, hook func()) {
	if nth <= 0 || hook == nil {
		return
	}
	if method == "" {
		method = AnyMethod
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = append(s.hooks, &afterHook{method: method, left: nth, answer: answer, fn: hook})
}

// takeHookLocked counts a successful call of method against every waiting
// hook and returns the one that fires on it, if any (s.mu held).
func (s *Server) takeHookLocked(method string) *afterHook {
	var fire *afterHook
	kept := s.hooks[:0]
	for _, h := range s.hooks {
		if h.method == method || h.method == AnyMethod {
			h.left--
		}
		if h.left <= 0 && fire == nil {
			fire = h
			continue
		}
		if h.left <= 0 {
			h.left = 1 // the first to fire takes the call; this one fires on the next
		}
		kept = append(kept, h)
	}
	for i := len(kept); i < len(s.hooks); i++ {
		s.hooks[i] = nil
	}
	s.hooks = kept
	return fire
}

// runHook runs h after its call was applied and reports whether the answer
// is to be written; a withheld answer waits for the caller to go away or
// the server to close.
func (s *Server) runHook(h *afterHook, done <-chan struct{}) bool {
	h.fn()
	if h.answer != StallAnswer {
		return true
	}
	select {
	case <-done:
	case <-s.done:
	}
	return false
}
