// Package pause waits out a duration that something else may cut short,
// such as the latency an emulator adds to a request whose client may give
// up. It uses only the standard library.
package pause

import "time"

// For waits for d, or until stop or alsoStop is closed (a nil channel never
// is). It reports whether the whole of d elapsed; d <= 0 elapses at once.
func For(d time.Duration, stop, alsoStop <-chan struct{}) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-stop:
		return false
	case <-alsoStop:
		return false
	}
}
