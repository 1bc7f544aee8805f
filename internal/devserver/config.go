package devserver

import (
	"net"
	"strconv"
	"time"

	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/temporal"

	"github.com/railyard/railyard/internal/freeport"
)

const storeName = "sqlite"

// ports are the server's listening ports: the frontend's fixed gRPC port and
// free ones picked for everything only the server itself talks to.
type ports struct {
	frontend, frontendHTTP, history, matching, worker int
}

func pickPorts(o Options) (ports, error) {
	p := ports{frontend: o.Port}
	for _, dst := range []*int{&p.frontendHTTP, &p.history, &p.matching, &p.worker} {
		n, err := freeport.On(o.IP)
		if err != nil {
			return ports{}, err
		}
		*dst = n
	}
	return p, nil
}

func hostPort(ip string, port int) string { return net.JoinHostPort(ip, strconv.Itoa(port)) }

// dialIP is the address clients use to reach a server bound to ip: loopback
// when ip is the unspecified address.
func dialIP(ip string) string {
	parsed := net.ParseIP(ip)
	switch {
	case parsed == nil || !parsed.IsUnspecified():
		return ip
	case parsed.To4() != nil:
		return "127.0.0.1"
	default:
		return "::1"
	}
}

// serverConfig is a single-process, single-shard cluster named "active"
// storing everything, visibility included, in one SQLite database.
func serverConfig(o Options, sql *config.SQL, p ports, id string) *config.Config {
	var c config.Config
	c.Global.Membership.MaxJoinDuration = 30 * time.Second
	c.Global.Membership.BroadcastAddress = dialIP(o.IP)
	c.Persistence.DefaultStore = storeName
	c.Persistence.VisibilityStore = storeName
	c.Persistence.NumHistoryShards = 1
	c.Persistence.DataStores = map[string]config.DataStore{storeName: {SQL: sql}}
	c.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{clusterName: {
			Enabled:                true,
			InitialFailoverVersion: 1,
			RPCAddress:             hostPort(dialIP(o.IP), p.frontend),
			HTTPAddress:            hostPort(dialIP(o.IP), p.frontendHTTP),
			ClusterID:              id,
		}},
	}
	c.DCRedirectionPolicy.Policy = "noop"
	c.Services = map[string]config.Service{
		string(primitives.FrontendService): service(o.IP, p.frontend, p.frontendHTTP),
		string(primitives.HistoryService):  service(o.IP, p.history, 0),
		string(primitives.MatchingService): service(o.IP, p.matching, 0),
		string(primitives.WorkerService):   service(o.IP, p.worker, 0),
	}
	c.Archival.History.State = "disabled"
	c.Archival.Visibility.State = "disabled"
	c.NamespaceDefaults.Archival.History.State = "disabled"
	c.NamespaceDefaults.Archival.Visibility.State = "disabled"
	c.PublicClient.HostPort = hostPort(dialIP(o.IP), p.frontend)
	return &c
}

func service(ip string, grpcPort, httpPort int) config.Service {
	var s config.Service
	s.RPC.BindOnIP = ip
	s.RPC.GRPCPort = grpcPort
	s.RPC.HTTPPort = httpPort
	return s
}

// dynamicConfig mirrors the settings `temporal server start-dev` uses: new
// search attributes visible at once, no version check over the network,
// generous local rate limits.
func dynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key():      true,
		dynamicconfig.ForceNexusEndpointRefreshOnRead.Key():              true,
		dynamicconfig.EnableServerVersionCheck.Key():                     false,
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key():                 8096,
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		dynamicconfig.FrontendPersistenceMaxQPS.Key():                    10000,
		dynamicconfig.HistoryPersistenceMaxQPS.Key():                     45000,
		// Promotion steps run on the Promotion's own queue first, handed to
		// the worker that completes the workflow task (and holds the
		// workspace) without a trip through matching.
		dynamicconfig.EnableActivityEagerExecution.Key(): true,
		// One process serves every queue: partitions only add forwarding
		// hops, and a task written to a partition no poller is waiting on
		// waits for a poller to land there (seconds to minutes).
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
	}
}

func serverOptions(c *config.Config, p ports, logger serverLogger) []temporal.ServerOption {
	local := func(port int) static.Hosts {
		return static.SingleLocalHost(hostPort(c.Global.Membership.BroadcastAddress, port))
	}
	claims := authorization.NewNoopClaimMapper()
	return []temporal.ServerOption{
		temporal.WithConfig(c),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(map[primitives.ServiceName]static.Hosts{
			primitives.FrontendService: local(p.frontend),
			primitives.HistoryService:  local(p.history),
			primitives.MatchingService: local(p.matching),
			primitives.WorkerService:   local(p.worker),
		}),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorization.NewNoopAuthorizer()),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claims }),
		temporal.WithDynamicConfigClient(dynamicConfig()),
	}
}
