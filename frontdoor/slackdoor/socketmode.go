package slackdoor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode serves the same commands, interactions and events as
// Handler over a Socket Mode WebSocket opened with the app-level token
// (xapp-…, scope connections:write). It reconnects by itself and returns
// when ctx is done (nil) or when Slack refuses the token.
func (f *FrontDoor) RunSocketMode(ctx context.Context, appToken string) error {
	if !strings.HasPrefix(appToken, "xapp-") {
		return errors.New("Socket Mode needs an app-level token starting with xapp- (slack.app_token); create one under Basic Information → App-Level Tokens with the connections:write scope")
	}
	opts := []slack.Option{slack.OptionAppLevelToken(appToken)}
	if f.apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(f.apiURL))
	}
	sm := socketmode.New(slack.New("", opts...), socketmode.OptionLog(slogPrinter{f}))

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-sm.Events:
				f.socketEvent(ctx, sm, &wg, evt)
			}
		}
	}()
	err := sm.RunContext(ctx)
	cancel()
	if ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled)) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("Socket Mode stopped: %w (check slack.app_token)", err)
	}
	return nil
}

// socketEvent dispatches one Socket Mode event. Requests are handled each in
// its own goroutine and acknowledged with the same payload the HTTP door
// would answer with.
func (f *FrontDoor) socketEvent(ctx context.Context, sm *socketmode.Client, wg *sync.WaitGroup, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		f.log.Info("connecting to Slack over Socket Mode")
	case socketmode.EventTypeConnected:
		f.log.Info("connected to Slack over Socket Mode")
	case socketmode.EventTypeConnectionError:
		f.log.Warn("Socket Mode connection failed; retrying", "detail", fmt.Sprint(evt.Data))
	case socketmode.EventTypeInvalidAuth:
		f.log.Error("Slack refused the app-level token (slack.app_token)")
	case socketmode.EventTypeDisconnect:
		f.log.Info("Slack asked to reconnect")
	case socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive, socketmode.EventTypeEventsAPI:
		if evt.Request == nil {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackBudget)
			defer cancel()
			var payload any
			switch data := evt.Data.(type) {
			case slack.SlashCommand:
				if r := f.command(rctx, data); r != nil {
					payload = r
				}
			case slack.InteractionCallback:
				if r := f.interaction(rctx, data); r != nil {
					payload = r
				}
			case slackevents.EventsAPIEvent:
				// Acknowledge first: an event needs no answer. The
				// envelope's payload is the body the HTTP door gets.
				f.ack(sm, evt.Request, nil)
				f.event(parseEvent(evt.Request.Payload, f.reaction), evt.Request.RetryAttempt > 0)
				return
			}
			f.ack(sm, evt.Request, payload)
		}()
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
		f.log.Warn("Socket Mode error", "type", evt.Type, "detail", fmt.Sprint(evt.Data))
	}
}

func (f *FrontDoor) ack(sm *socketmode.Client, req *socketmode.Request, payload any) {
	var err error
	if payload == nil {
		err = sm.Ack(*req)
	} else {
		err = sm.Ack(*req, payload)
	}
	if err != nil {
		f.log.Warn("Socket Mode acknowledgement failed", "envelope", req.EnvelopeID, "err", err)
	}
}

// slogPrinter routes the socketmode client's own log lines to the logger.
type slogPrinter struct{ f *FrontDoor }

func (p slogPrinter) Output(_ int, s string) error {
	p.f.log.Debug("socketmode: " + strings.TrimSpace(s))
	return nil
}
