// Package browsertest starts a headless Chromium for tests that drive a
// page as a person does. Without Chromium a test skips outside CI and
// fails in CI (.ci/run installs the Debian package chromium).
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Deadline bounds a whole browser session: a step that waits for something
// the page never shows fails the test within it instead of hanging until
// go test's timeout.
const Deadline = 2 * time.Minute

// Chromium returns the path of a Chromium to drive, skipping the test when
// there is none outside CI and failing it in CI.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Chromium is not installed; .ci/run installs the Debian package chromium")
	}
	t.Skip("Chromium is not installed (apt-get install chromium): skipping the browser test")
	return ""
}

// Start starts a headless Chromium for the test (with opts added to
// chromedp's defaults) and returns the context its actions run on, which
// ends at Deadline or with the test.
func Start(t testing.TB, opts ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	all := append(append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Chromium(t)), chromedp.Flag("no-sandbox", true)), opts...)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), all...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelDeadline := context.WithTimeout(ctx, Deadline)
	t.Cleanup(func() { cancelDeadline(); cancelCtx(); cancelAlloc() })
	// The first action starts the browser, bound to the context it runs
	// on: this one, which lives as long as the test.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}
