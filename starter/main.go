// Command railyard is Railyard's command-line interface: validate and apply
// Kargo-compatible manifests, read projects, warehouses, Freight, stages and
// promotions, send commands (promote, approve, refresh) to the workflows
// that own them, and serve the pipeline dashboard over the same messages. It connects to Temporal the way Temporal's tools
// do (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS and API key settings).
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	if err := newRoot().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func newRoot() *cobra.Command {
	a := &app{}
	root := &cobra.Command{
		Use:           "railyard",
		Short:         "Continuous promotion for GitOps, on Temporal",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	f := root.PersistentFlags()
	f.StringVar(&a.address, "address", "", "Temporal frontend host:port (default $TEMPORAL_ADDRESS or 127.0.0.1:7233)")
	f.StringVar(&a.namespace, "namespace", "", "Temporal namespace (default $TEMPORAL_NAMESPACE or default)")
	root.PersistentPostRun = func(*cobra.Command, []string) { a.close() }
	root.AddCommand(newValidate(a), newApply(a), newGet(a), newPromote(a), newApprove(a),
		newRefresh(a), newAbort(a), newVerify(a), newFreight(a), newDashboard(a))
	return root
}
