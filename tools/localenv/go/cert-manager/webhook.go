package main

// `cert-manager webhook`: upstream's webhook server (internal/webhook), configured by upstream's own flags
// (pkg/webhook/options) and defaults, exactly as cmd/webhook does it minus the --config file. It serves
// /validate and /mutate on --secure-port (TLS from --tls-cert-file/--tls-private-key-file, reloaded when they
// change) and /healthz, /livez on --healthz-port (plain HTTP). There is no /convert: every cert-manager CRD of
// v1.21 has one version and no conversion webhook.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/cert-manager/cert-manager/internal/apis/config/webhook/validation"
	cmwebhook "github.com/cert-manager/cert-manager/internal/webhook"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	utilfeature "github.com/cert-manager/cert-manager/pkg/util/feature"
	"github.com/cert-manager/cert-manager/pkg/webhook/options"
)

func runWebhook(args []string) int {
	// Upstream's defaults: --secure-port 6443 (choose another: the API server's usual port), --healthz-port
	// 6080, --metrics-listen-address 0.0.0.0:9402 ("0" turns metrics off).
	cfg, err := options.NewWebhookConfiguration()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fs := pflag.NewFlagSet("cert-manager webhook", pflag.ContinueOnError)
	options.AddConfigFlags(fs, cfg)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	logf.InitLogs()
	defer logf.FlushLogs()
	if err := utilfeature.DefaultMutableFeatureGate.SetFromMap(cfg.FeatureGates); err != nil {
		fmt.Fprintln(os.Stderr, "feature gates:", err)
		return 2
	}
	if err := validation.ValidateWebhookConfiguration(cfg, nil).ToAggregate(); err != nil {
		fmt.Fprintln(os.Stderr, "invalid configuration:", err)
		return 2
	}
	if err := logf.ValidateAndApply(&cfg.Logging); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx = logf.NewContext(ctx, logf.Log, "webhook")
	log := logf.FromContext(ctx)

	srv, err := cmwebhook.NewCertManagerWebhookServer(log, *cfg)
	if err != nil {
		log.Error(err, "initialising the webhook server")
		return 1
	}
	if err := srv.Run(ctx); err != nil {
		log.Error(err, "webhook server exited")
		return 1
	}
	return 0
}
