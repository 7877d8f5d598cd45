// Package slackemu is a stateful emulator of the Slack Web API, of Socket Mode,
// and of Slack acting towards an app (signed slash commands and interactions).
// It is the test double of incidentflow's tests, the load of the benchmark and
// the sandbox of `incidentflow dev` when no Slack token is configured.
//
// Point slack-go at it:
//
//	srv := slackemu.NewTestServer(t, slackemu.Options{})
//	api := slack.New(slackemu.DefaultBotToken, slack.OptionAPIURL(srv.URL()+"/api/"))
//
// # Seeded workspace
//
// Team T0SANDBOX ("incidentflow sandbox"), app A0INCIDENTFLOW, bot user
// U0INCIDENTFLOW (bot_id B0INCIDENTFLOW), bot token "xoxb-sandbox", app-level
// token "xapp-sandbox". Users (DefaultUsers): U0ALICE alice, U0BOB bob, U0CAROL
// carol, U0DAVE dave, U0ERIN erin, U0FRANK frank, U0GRACE grace (name@example.com,
// each with a real name, title and time zone) and the bot. Channels: #general
// (C0GENERAL, everyone) and #incidents (C0INCIDENTS: alice, bob, carol, dave,
// grace and the bot). User groups: @incident-commanders (alice, bob) and @oncall
// (bob, dave, erin).
//
// # HTTP endpoints
//
//	/api/<method>              the Web API (form, multipart or JSON bodies, query parameters)
//	GET  /_emu/state           the whole state as JSON (shape fixed by DESIGN.md)
//	GET  /                     the workspace as a page a person can read and play (below)
//	POST /_emu/act/command     the page's forms: run a slash command, submit or cancel
//	POST /_emu/act/submit        a modal, click a message button (sandbox only; each
//	POST /_emu/act/close         form carries a per-process token and must come from
//	POST /_emu/act/click         the page's own origin)
//	POST /_emu/act/message     the page's message controls: react, pin, edit, delete, shortcut
//	POST /_emu/upload/{id}     upload URLs returned by files.getUploadURLExternal
//	GET  /_emu/files/{id}      url_private of uploaded files (bot token required)
//	POST /_emu/response/{id}   response_url of commands and interactions
//	GET  /_emu/socket          Socket Mode WebSocket (URL from apps.connections.open)
//	GET  /archives/{c}/p{ts}   permalinks, redirected to the message on the page
//
// Web API methods: api.test, auth.test, users.info/list/lookupByEmail,
// usergroups.list, conversations.create/info/invite/kick/setTopic/setPurpose/
// archive/unarchive/rename/history/replies/members/list/join/open,
// chat.postMessage/postEphemeral/update/delete/scheduleMessage/
// scheduledMessages.list/deleteScheduledMessage/getPermalink, pins.add/remove/list,
// bookmarks.add/list/remove, reactions.add/remove/get, views.open/push/update/publish,
// files.getUploadURLExternal/completeUploadExternal/info, apps.connections.open.
//
// # Rules
//
// Errors carry Slack's codes: not_authed, invalid_auth, not_allowed_token_type,
// invalid_name_required/_maxlength/_specials/_punctuation, name_taken (archived
// channels keep their names), too_long (topic and purpose over 250 characters),
// not_in_channel, channel_not_found, user_not_found, users_not_found
// (users.lookupByEmail), already_in_channel, cant_invite_self, cant_kick_self,
// is_archived, already_archived, cant_archive_general, invalid_trigger_id,
// expired_trigger_id (after 3 s), exchanged_trigger_id (second use),
// view_too_large (over 250 KB of JSON or over 100 blocks), invalid_blocks,
// invalid_arguments, hash_conflict, not_found, push_limit_reached,
// message_not_found, cant_update_message, cant_delete_message, no_text,
// msg_too_long, not_pinnable, already_pinned, no_pin, already_reacted,
// no_reaction, invalid_link,
// time_in_past, time_too_far, file_not_found.
//
// Modelling choices: the bot may post in public channels it has not joined (as
// with the chat:write.public scope); posting in a private channel it is not in
// answers not_in_channel, while reading one answers channel_not_found (private
// channels are invisible to non-members). The bot joins the channels it creates.
// conversations.invite with only existing members fails with already_in_channel;
// with a mix it invites the others and lists the rest in "errors". A thread_ts
// that names no message posts unthreaded, as Slack does for deleted parents.
// No system messages (channel_join, channel_topic, ...) are added to history.
// Malformed view blocks answer invalid_arguments with response_metadata.messages,
// as Slack's views methods do; malformed message blocks answer invalid_blocks.
// Scheduled messages are posted by the first API call or inspection after their
// post_at by the emulator's clock.
//
// # Rate limits
//
// On by default (Options.DisableRateLimits, SetRateLimits). Tier 2 (20 per
// window), Tier 3 (50) and Tier 4 (100) per method per workspace in a sliding
// window of Options.RateWindow (default one minute); calls refused do not count.
// chat.postMessage has a token bucket per channel: Options.PostMessageBurst
// (default 3) then one per RateWindow/60. A refused call gets HTTP 429,
// "Retry-After" in whole seconds (at least 1) and {"ok":false,"error":"ratelimited"},
// which slack-go turns into *slack.RateLimitedError. MethodTier reports the tier of
// a method; apps.connections.open is not limited.
//
// # Faults and latency
//
// FailNext (ok:false with a code), FailNextHTTP (an HTTP status; 429 carries
// Retry-After: 1), HangNext (hold the call, then handle it) and SetLatency /
// Options.Latency inject trouble per method, or for any method with AnyMethod.
// AfterApplied runs a hook right after the nth successful call of a method
// has changed the workspace, before its answer goes out, and then sends the
// answer (SendAnswer) or withholds it until the caller gives up
// (StallAnswer): the crash tests kill -9 the worker there, so every Slack
// call's effect can be seen to survive a crash between Slack's work and the
// caller's record of it.
//
// # Acting as Slack
//
// SetFrontDoor and SetTransport(HTTP or Socket) choose where SlashCommand,
// SubmitView, ClickButton, MessageShortcut and Shortcut go. Payloads are built
// from slack-go's own types; each carries a fresh trigger_id (MintTriggerID mints
// one by hand) and, except view submissions and global shortcuts, a response_url
// on the emulator that accepts 5 posts within 30 minutes (ResponseURLPosts).
// HTTP deliveries are signed like Slack's (Sign) with the wall clock, because the
// receiver checks the timestamp against its own clock. Socket Mode deliveries wait
// for the ack with the same envelope_id; its payload becomes the Reply body.
//
// # Events API
//
// With a front door (HTTP transport) or a Socket Mode connection (Socket
// transport) set, the emulator sends the app Events API events as Slack
// documents them: message (PostAs, chat.postMessage and every other bot
// post), message_changed (EditAs, chat.update), message_deleted (DeleteAs,
// chat.delete), reaction_added/removed (React, Unreact, reactions.add/remove)
// and pin_added/removed (PinAs, UnpinAs, pins.add/remove); the bot's own
// calls carry its user ID. HTTP deliveries are signed JSON event_callback
// envelopes to POST {base}/slack/events; Socket Mode ones are events_api
// envelopes the app acks. A delivery not answered 2xx (or acked) within
// Options.EventTimeout (3 s) is retried with the same event_id, up to once
// per Options.EventRetryDelays entry (3 times), with X-Slack-Retry-Num and
// X-Slack-Retry-Reason (http_timeout, http_error, connection_failed) or
// retry_attempt and retry_reason ("timeout"). Events go out one at a time, in
// order, from a queue: Web API calls never wait for the app, while the actor
// methods (React, Unreact, PinAs, UnpinAs, EditAs, DeleteAs) wait for their
// event's outcome, so they must not be called from the app's own handler.
// Redeliver sends an event again as the next retry; DeliveredEvents lists
// them with their attempts and outcome. Without a front door or connection
// nothing is queued.
//
// # Playing Slack in the browser
//
// GET / shows one channel (?channel=C…, default #incidents) as a person
// (?as=U…, default U0ALICE) sees it: topic, purpose, members, bookmarks,
// pins, messages with their threads, and the ephemeral answers only that
// person sees. Its forms act as Slack towards the front door, through the
// same code as SlashCommand, SubmitView and ClickButton: a composer runs
// /incident or /closeincident as any seeded user in any channel; a modal
// the app opened for the person is shown as an HTML form (plain text,
// email, URL and number inputs, static, user and conversation selects,
// checkboxes, radio buttons, date and time pickers as text) whose submit
// sends a view_submission, after the checks Slack's client makes itself
// (required inputs, numbers, dates), and shows response_action errors next
// to their inputs; every button of a message sends block_actions. Under
// each message a person reacts with 📌 or toggles any reaction shown (who
// reacted is listed), pins or unpins it, edits or deletes their own, and
// uses the app's message shortcuts (Options.MessageShortcuts), through the
// actor methods and MessageShortcut. The page
// is html/template (all user text escaped); a few lines of JavaScript reload
// it every 4 s unless someone is typing or a modal is open.
//
// # Persistence and IDs
//
// With Options.StateFile the workspace survives restarts and crashes
// (`incidentflow dev` keeps it in <data-dir>/slack-sandbox.json next to
// Temporal's database, so a war room outlives Ctrl-C and kill -9 as its
// incident does). Each change is appended to a journal beside the file
// (<file>.journal) and synced before the call that made it is answered, so
// whatever the sandbox answered is on disk; the journal is folded into the
// file now and then and on Close (a temporary file, then a rename). A file
// that cannot be loaded is moved to <file>.corrupt, and a journal that ends
// in a change cut short is loaded up to it, both reported by StateFileError. Minted IDs look like Slack's: the type letter, "0",
// four random characters chosen per workspace, and a counter (C0K7QZ00006),
// so two fresh sandboxes rarely share channel or view IDs; the seeded IDs
// above never change.
//
// # Inspection
//
// Channels, Channel, ChannelByName, Messages, Ephemerals, Views, View, Files,
// ScheduledMessages, Users, Calls, CallCount, ResponseURLPosts, DeliveredEvents
// and Snapshot read the state; CreateChannel, PostAs and AddUser seed it; Reset restores the seed.
package slackemu
