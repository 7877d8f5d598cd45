package devserver

import (
	"database/sql"
	"path/filepath"
	"testing"
)

// A database keeps the shard count it was first started with: one made
// before the dev server ran four shards still runs one.
func TestShardCountKeepsTheDatabasesOwn(t *testing.T) {
	dir := t.TempDir()
	conf, shards, err := sqliteConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	if shards != historyShards {
		t.Errorf("a new database runs %d shards, want %d", shards, historyShards)
	}
	db, err := sql.Open("sqlite", conf.DatabaseName)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO shards (shard_id, range_id, data, data_encoding) VALUES (1, 1, x'00', 'Proto3')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if got := shardCount(filepath.Join(dir, DBFileName)); got != 1 {
		t.Errorf("a database started with one shard runs %d", got)
	}
}
