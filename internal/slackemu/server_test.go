package slackemu_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/incidentflow/incidentflow/internal/slackemu"
)

func TestStartAndClose(t *testing.T) {
	srv := slackemu.New(slackemu.Options{BotToken: "xoxb-custom"})
	must(t, srv.Start("127.0.0.1:0"))
	defer srv.Close()
	if !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL = %q", srv.URL())
	}
	api := slack.New("xoxb-custom", slack.OptionAPIURL(srv.URL()+"/api/"))
	_, err := api.AuthTest()
	must(t, err)
	_, err = client(srv).AuthTest() // the default token is not accepted any more
	wantSlackErr(t, err, "invalid_auth")
	srv.Close()
	if _, err := api.AuthTest(); err == nil {
		t.Fatal("still serving after Close")
	}
}

func TestHandlerEmbedding(t *testing.T) {
	// Served by someone else's server: links use the host the client reached.
	srv := slackemu.New(slackemu.Options{})
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	defer srv.Close()
	api := slack.New(slackemu.DefaultBotToken, slack.OptionAPIURL(hs.URL+"/api/"))
	sum, err := api.UploadFile(slack.UploadFileParameters{Filename: "notes.txt", Content: "hello", FileSize: 5})
	must(t, err)
	if files := srv.Files(); len(files) != 1 || files[0].ID != sum.ID || string(files[0].Content) != "hello" {
		t.Fatalf("files = %+v", files)
	}
}
