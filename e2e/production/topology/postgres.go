package topology

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ErrNoPostgres means no PostgreSQL server programs (initdb, pg_ctl) were
// found on this machine.
var ErrNoPostgres = errors.New("PostgreSQL is not installed: initdb and pg_ctl were found neither on PATH nor in /usr/lib/postgresql/*/bin (on Debian: apt-get install postgresql)")

// PostgresUser is the database superuser the cluster is created with; the
// Temporal server and its schema tool connect as it (over the loopback,
// trusted: the cluster lives as long as a test run).
const PostgresUser = "temporal"

// PostgresPassword is the password Temporal is configured with. The
// cluster trusts loopback connections, so it is not checked; it is there
// because the compose file's Temporal passes one.
const PostgresPassword = "temporal"

// FindPostgres returns the directory holding initdb and pg_ctl: PATH first,
// then Debian's /usr/lib/postgresql/<version>/bin (newest version first).
func FindPostgres() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "pg_ctl")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	return "", ErrNoPostgres
}

// pgVersion is the major version in /usr/lib/postgresql/<version>/bin.
func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// Postgres is a throwaway PostgreSQL cluster in a directory of its own,
// listening on one loopback port.
type Postgres struct {
	binDir string
	dir    string // data/, the socket directory and the log
	port   int
	// asUser runs the server programs as another user: PostgreSQL refuses
	// to run as root, so under root they run as the "postgres" account.
	asUser *user.User
}

// StartPostgres creates a cluster in dir (which must exist and be empty of
// a previous cluster) and starts it on a free loopback port.
func StartPostgres(dir string) (*Postgres, error) {
	binDir, err := FindPostgres()
	if err != nil {
		return nil, err
	}
	ports, err := FreePorts(1)
	if err != nil {
		return nil, err
	}
	pg := &Postgres{binDir: binDir, dir: dir, port: ports[0]}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, and PostgreSQL refuses to run as root; there is no postgres account to run it as (%v): run the tests as another user or install Debian's postgresql, which creates it", err)
		}
		pg.asUser = u
	}
	for _, sub := range []string{"data", "run"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("creating the PostgreSQL cluster's directory: %w", err)
		}
		if err := pg.own(filepath.Join(dir, sub)); err != nil {
			return nil, err
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, fmt.Errorf("opening %s to the postgres account: %w", dir, err)
	}
	if out, err := pg.run("initdb", "-D", pg.dataDir(), "-U", PostgresUser, "--auth=trust", "-E", "UTF8", "--no-sync"); err != nil {
		return nil, fmt.Errorf("initdb in %s failed: %v\n%s", pg.dataDir(), err, out)
	}
	if err := pg.Start(); err != nil {
		return nil, err
	}
	return pg, nil
}

// Port is the loopback port the cluster listens on.
func (pg *Postgres) Port() int { return pg.port }

// Address is 127.0.0.1:<port>.
func (pg *Postgres) Address() string { return loopback(pg.port) }

// LogFile is the server's log.
func (pg *Postgres) LogFile() string { return filepath.Join(pg.dir, "run", "postgresql.log") }

func (pg *Postgres) dataDir() string { return filepath.Join(pg.dir, "data") }

// Start starts the server (pg_ctl start) and waits until it accepts
// connections. fsync is off: the cluster is thrown away after the run, and
// a restart (Stop, Start) is a clean shutdown that loses nothing.
func (pg *Postgres) Start() error {
	opts := strings.Join([]string{
		"-p", strconv.Itoa(pg.port),
		"-k", filepath.Join(pg.dir, "run"),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off",
		"-c", "max_connections=200",
	}, " ")
	if out, err := pg.run("pg_ctl", "-D", pg.dataDir(), "-l", pg.LogFile(), "-w", "-t", "60", "-o", opts, "start"); err != nil {
		return fmt.Errorf("PostgreSQL did not start on %s: %v\n%s\nits log %s ends:\n%s", pg.Address(), err, out, pg.LogFile(), tail(pg.LogFile(), 10))
	}
	return nil
}

// Stop stops the server with a fast shutdown (open connections are
// closed, committed data is kept) and waits until it is gone.
func (pg *Postgres) Stop() error {
	if out, err := pg.run("pg_ctl", "-D", pg.dataDir(), "-w", "-t", "60", "-m", "fast", "stop"); err != nil {
		return fmt.Errorf("stopping PostgreSQL: %v\n%s", err, out)
	}
	return nil
}

// Close stops the server if it runs; the caller removes its directory.
func (pg *Postgres) Close() {
	if _, err := pg.run("pg_ctl", "-D", pg.dataDir(), "status"); err == nil {
		_ = pg.Stop()
	}
}

// run runs one of the server's programs (as pg.asUser when set) and
// returns its output.
func (pg *Postgres) run(program string, args ...string) ([]byte, error) {
	path := filepath.Join(pg.binDir, program)
	var cmd *exec.Cmd
	if pg.asUser != nil {
		cmd = exec.Command("setpriv", append([]string{"--reuid=" + pg.asUser.Uid, "--regid=" + pg.asUser.Gid, "--init-groups", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = pg.dir
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
		return out, err
	case <-time.After(90 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		return out, fmt.Errorf("%s did not finish within 90 s", program)
	}
}

// own hands path to pg.asUser.
func (pg *Postgres) own(path string) error {
	if pg.asUser == nil {
		return nil
	}
	uid, _ := strconv.Atoi(pg.asUser.Uid)
	gid, _ := strconv.Atoi(pg.asUser.Gid)
	if err := os.Chown(path, uid, gid); err != nil {
		return fmt.Errorf("handing %s to the postgres account: %w", path, err)
	}
	return nil
}

// tail returns the last n lines of the file at path.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(unreadable: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
