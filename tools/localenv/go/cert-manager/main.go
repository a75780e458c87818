// Command cert-manager runs the real cert-manager v1.21.2 out of cluster, for the local environment:
//
//	cert-manager controller --kubeconfig=… [flags]   the controllers (certificates, CertificateRequests with the
//	                                                 CA and SelfSigned issuers, Issuers, ClusterIssuers)
//	cert-manager webhook --kubeconfig=… [flags]      the admission webhook (validation, CertificateRequest
//	                                                 identity and approval checks), with upstream's own flags
//
// One binary for both, so there is one build and one cache entry. They can share it because the feature gates
// both register into cert-manager's one global gate are registered with identical specs where they overlap
// (LiteralCertificateSubject, NameConstraints, OtherNames, …); only one of the two runs in a process.
//
// Why this module's path is github.com/cert-manager/cert-manager/opsflow-localenv: the webhook's wiring, its
// admission plugins and the validation of every cert-manager kind live under cert-manager's internal/ tree.
// Go lets a package import .../internal/... only from within the tree rooted at the parent of internal/, and it
// judges that by import path alone, across modules. A module whose path lies under
// github.com/cert-manager/cert-manager/ may therefore import them; upstream's own cmd/controller and cmd/webhook
// modules (github.com/cert-manager/cert-manager/controller-binary, …/webhook-binary) rely on exactly this rule.
// The path is never fetched (this is the main module) and cert-manager has no package under opsflow-localenv/.
package main

import (
	"fmt"
	"os"
)

func main() {
	commands := map[string]func(args []string) int{
		"controller": runController,
		"webhook":    runWebhook,
	}
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: cert-manager controller|webhook [flags] (--help for a command's flags)")
		os.Exit(2)
	}
	os.Exit(commands[os.Args[1]](os.Args[2:]))
}
