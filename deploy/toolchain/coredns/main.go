// Command coredns is CoreDNS with only the plugins the real node's Corefile uses
// (storefleet_localcluster/nodeconfig.py: corefile), plus health and ready for probing.
//
// Why not upstream's main package: it links every plugin CoreDNS ships (cloud DNS backends,
// tracing, dnstap, ...), which made the cold build several times longer on this project's
// two-core machines. CoreDNS documents this way of choosing plugins at compile time: a main
// package that imports coremain and the wanted plugins. Add a plugin here before using it in
// the Corefile; an unknown directive makes CoreDNS refuse to start, so the mistake is loud.
package main

import (
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/ready"
)

func main() { coremain.Run() }
