package main

// `cert-manager controller`: the run loop of upstream's cmd/controller (app.Run) without what the local
// environment has no use for: leader election (one replica), the metrics server, and the controllers of issuers
// it cannot run (ACME, Vault, Venafi), the ingress/gateway shims and the experimental CSR controllers. Each
// controller is upstream's own, registered by the blank imports below; flags keep upstream's names and defaults.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/sync/errgroup"
	logsapi "k8s.io/component-base/logs/api/v1"

	"github.com/cert-manager/cert-manager/pkg/controller"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	utilfeature "github.com/cert-manager/cert-manager/pkg/util/feature"

	// Controllers: each package's init() calls controller.Register(name, constructor).
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/approver"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/ca"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/selfsigned"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/issuing"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/keymanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/readiness"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/requestmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/revisionmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	_ "github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	_ "github.com/cert-manager/cert-manager/pkg/controller/issuers"
	// Issuer types the issuers/clusterissuers controllers can set up (issuer.RegisterIssuer in init()); an
	// Issuer of any other type is reported not Ready.
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/selfsigned"
)

func runController(args []string) int {
	// Defaults are upstream's (internal/apis/config/controller/v1alpha1/defaults.go in v1.21.2). The backoff
	// after a failed CertificateRequest matters: its zero value would mean no backoff at all.
	fs := pflag.NewFlagSet("cert-manager controller", pflag.ContinueOnError)
	kubeconfig := fs.String("kubeconfig", "", "path to a kubeconfig (required out of cluster)")
	master := fs.String("master", "", "API server URL, overrides the kubeconfig's")
	namespace := fs.String("namespace", "", `only watch this namespace ("" = all; the clusterissuers controller does not run then)`)
	clusterResourceNamespace := fs.String("cluster-resource-namespace", "kube-system", "namespace of the Secrets ClusterIssuers refer to")
	leaderElect := fs.Bool("leader-elect", false, "leader election: not implemented here (one replica); only false is accepted")
	workers := fs.Int("concurrent-workers", 5, "workers per controller")
	qps := fs.Float32("kube-api-qps", 20, "client-side rate limit (off when the API server has API Priority and Fairness)")
	burst := fs.Int("kube-api-burst", 50, "client-side burst")
	minBackoff := fs.Duration("certificate-request-minimum-backoff-duration", time.Hour, "first re-issue backoff after a failed CertificateRequest")
	maxBackoff := fs.Duration("certificate-request-maximum-backoff-duration", 32*time.Hour, "longest re-issue backoff")
	ownerRef := fs.Bool("enable-certificate-owner-ref", false, "make the Certificate the owner of its Secret")
	healthz := fs.String("healthz-listen-address", "", `serve /livez and /readyz (200 once every informer cache has synced) here; "" = off`)
	utilfeature.DefaultMutableFeatureGate.AddFlag(fs) // --feature-gates
	logOpts := logsapi.NewLoggingConfiguration()
	logf.AddFlagsNonDeprecated(logOpts, fs) // -v, --logging-format, …
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *leaderElect {
		fmt.Fprintln(os.Stderr, "--leader-elect=true is not supported by this build: run one replica")
		return 2
	}
	logf.InitLogs()
	defer logf.FlushLogs()
	if err := logf.ValidateAndApply(logOpts); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx = logf.NewContext(ctx, logf.Log, "cert-manager")
	log := logf.FromContext(ctx)

	factory, err := controller.NewContextFactory(ctx, controller.ContextOptions{
		APIServerHost:      *master,
		Kubeconfig:         *kubeconfig,
		KubernetesAPIQPS:   *qps,
		KubernetesAPIBurst: *burst,
		Namespace:          *namespace,
		IssuerOptions: controller.IssuerOptions{
			ClusterResourceNamespace:        *clusterResourceNamespace,
			ClusterIssuerAmbientCredentials: true,
		},
		CertificateOptions: controller.CertificateOptions{
			EnableOwnerRef:                           *ownerRef,
			CopiedAnnotationPrefixes:                 []string{"*", "-kubectl.kubernetes.io/", "-fluxcd.io/", "-argocd.argoproj.io/"},
			CertificateRequestMinimumBackoffDuration: *minBackoff,
			CertificateRequestMaximumBackoffDuration: *maxBackoff,
		},
		IngressShimOptions: controller.IngressShimOptions{DefaultIssuerKind: "Issuer", DefaultIssuerGroup: "cert-manager.io"},
	})
	if err != nil {
		log.Error(err, "building the controller context")
		return 1
	}
	// The context every controller gets shares these informer factories.
	base, err := factory.Build()
	if err != nil {
		log.Error(err, "building the controller context")
		return 1
	}

	names := make([]string, 0, len(controller.Known()))
	for name := range controller.Known() {
		if *namespace != "" && name == "clusterissuers" {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	g, gctx := errgroup.WithContext(ctx)
	for _, name := range names {
		// Constructing a controller registers the informers it needs with the shared factories.
		ctrl, err := controller.Known()[name](factory)
		if err != nil {
			log.Error(err, "constructing a controller", "controller", name)
			return 1
		}
		log.Info("starting controller", "controller", name)
		g.Go(func() error { return ctrl.Run(*workers, gctx) })
	}
	// Informers start only after every controller has registered its own (one requested after Start would not
	// run). Each controller's Run waits for its caches; a CRD that is not installed keeps them from syncing.
	base.SharedInformerFactory.Start(gctx.Done())
	base.KubeSharedInformerFactory.Start(gctx.Done())
	base.HTTP01ResourceMetadataInformersFactory.Start(gctx.Done())

	var ready atomic.Bool
	go func() {
		synced := true
		for _, ok := range base.SharedInformerFactory.WaitForCacheSync(gctx.Done()) {
			synced = synced && ok
		}
		for _, ok := range base.KubeSharedInformerFactory.WaitForCacheSync(gctx.Done()) {
			synced = synced && ok
		}
		if synced {
			ready.Store(true)
			log.Info("informer caches synced")
		}
	}()
	if *healthz != "" {
		if err := serveHealth(gctx, g, *healthz, &ready); err != nil {
			log.Error(err, "healthz server")
			return 1
		}
	}

	if err := g.Wait(); err != nil {
		log.Error(err, "a controller exited with an error")
		return 1
	}
	log.Info("control loops exited")
	return 0
}

// serveHealth answers /livez while the process runs and /readyz once the informer caches have synced: the
// moment from which the controllers act on what exists.
func serveHealth(ctx context.Context, g *errgroup.Group, address string, ready *atomic.Bool) error {
	listener, err := net.Listen("tcp", address)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/livez", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !ready.Load() {
			http.Error(w, "informer caches not synced yet", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	server := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	g.Go(func() error {
		if err := server.Serve(listener); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return server.Shutdown(shutdown)
	})
	return nil
}
