package topology

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
)

// Temporal keeps its services' membership ports in a PostgreSQL smallint
// column, so every port the topology hands out lies below 32768 (Linux's
// ephemeral ports, what ":0" gives, start there): one in [lowPort, highPort).
const (
	lowPort  = 20000
	highPort = 32000
)

// FreePorts returns n distinct loopback TCP ports that were free a moment
// ago, each below 32768. The caller binds them soon after: another process
// may take one meanwhile, which then shows as an address in use.
func FreePorts(n int) ([]int, error) {
	seen := map[int]bool{}
	var ports []int
	for tries := 0; len(ports) < n; tries++ {
		if tries > 50*n {
			return nil, fmt.Errorf("found only %d free loopback ports in [%d, %d) after %d tries", len(ports), lowPort, highPort, tries)
		}
		p := lowPort + rand.IntN(highPort-lowPort)
		if seen[p] {
			continue
		}
		seen[p] = true
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue
		}
		l.Close()
		ports = append(ports, p)
	}
	return ports, nil
}

// loopback is 127.0.0.1:port.
func loopback(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }
