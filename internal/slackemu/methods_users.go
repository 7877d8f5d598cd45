package slackemu

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// authTest is auth.test.
func authTest(_ *Server, _ *apiRequest) (obj, error) {
	return obj{
		"url": "https://" + TeamDomain + ".slack.com/", "team": TeamName, "user": BotName,
		"team_id": TeamID, "user_id": BotUserID, "bot_id": BotID, "is_enterprise_install": false,
	}, nil
}

// usersInfo is users.info (user=U…; slack-go's GetUsersInfo sends users=U1,U2).
func usersInfo(s *Server, rq *apiRequest) (obj, error) {
	if ids := rq.p.list("users"); len(ids) > 0 && !rq.p.has("user") {
		var out []obj
		for _, id := range ids {
			u := s.st.usersByID[id]
			if u == nil {
				return nil, errCode("user_not_found")
			}
			out = append(out, userJSON(u))
		}
		return obj{"users": out}, nil
	}
	id := rq.p.str("user")
	if id == "" {
		return nil, errCode("user_not_found")
	}
	u := s.st.usersByID[id]
	if u == nil {
		return nil, errCode("user_not_found")
	}
	return obj{"user": userJSON(u)}, nil
}

// usersLookupByEmail is users.lookupByEmail.
func usersLookupByEmail(s *Server, rq *apiRequest) (obj, error) {
	email := strings.TrimSpace(rq.p.str("email"))
	if email == "" {
		return nil, errCode("invalid_email")
	}
	for _, u := range s.st.users {
		if u.Email != "" && strings.EqualFold(u.Email, email) {
			return obj{"user": userJSON(u)}, nil
		}
	}
	return nil, errCode("users_not_found")
}

// usersList is users.list with cursor pagination.
func usersList(s *Server, rq *apiRequest) (obj, error) {
	start, limit, err := pageArgs(rq.p, 200, 1000)
	if err != nil {
		return nil, err
	}
	var members []obj
	end := min(start+limit, len(s.st.users))
	for _, u := range s.st.users[min(start, len(s.st.users)):end] {
		members = append(members, userJSON(u))
	}
	if members == nil {
		members = []obj{}
	}
	return obj{"members": members, "cache_ts": s.now().Unix(),
		"response_metadata": obj{"next_cursor": nextCursor(end, len(s.st.users))}}, nil
}

// usergroupsList is usergroups.list over the seeded groups.
func usergroupsList(s *Server, rq *apiRequest) (obj, error) {
	withUsers := rq.p.boolean("include_users")
	var out []obj
	for _, g := range defaultUsergroups {
		var users []string
		for _, u := range g.users {
			if s.st.usersByID[u] != nil {
				users = append(users, u)
			}
		}
		o := obj{"id": g.id, "team_id": TeamID, "is_usergroup": true, "is_subteam": true, "name": g.name,
			"description": g.description, "handle": g.handle, "is_external": false, "date_create": 1700000000,
			"date_update": 1700000000, "date_delete": 0, "auto_type": nil, "created_by": UserAlice,
			"updated_by": UserAlice, "deleted_by": nil, "prefs": obj{"channels": []string{}, "groups": []string{}},
			"user_count": len(users)}
		if withUsers {
			o["users"] = users
		}
		out = append(out, o)
	}
	return obj{"usergroups": out}, nil
}

// pageArgs reads cursor and limit. The cursor encodes the offset of the next item.
func pageArgs(p params, def, max int) (start, limit int, err error) {
	limit = p.integer("limit", def)
	if limit <= 0 {
		limit = def
	}
	if limit > max {
		limit = max
	}
	c := p.str("cursor")
	if c == "" {
		return 0, limit, nil
	}
	dec, derr := base64.StdEncoding.DecodeString(c)
	if derr != nil {
		return 0, 0, errCode("invalid_cursor")
	}
	rest, ok := strings.CutPrefix(string(dec), "next:")
	if !ok {
		return 0, 0, errCode("invalid_cursor")
	}
	start, aerr := strconv.Atoi(rest)
	if aerr != nil || start < 0 {
		return 0, 0, errCode("invalid_cursor")
	}
	return start, limit, nil
}

// nextCursor returns the cursor of the item at end, or "" when none is left.
func nextCursor(end, total int) string {
	if end >= total {
		return ""
	}
	return base64.StdEncoding.EncodeToString([]byte("next:" + strconv.Itoa(end)))
}
