package webhook

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

// metrics are the webhook's Prometheus collectors. The command label is the
// event type, never the raw command text, so a sender cannot create series at will.
type metrics struct {
	requests       *prometheus.CounterVec
	latency        prometheus.Histogram
	beforeUnlogged *prometheus.CounterVec
	beforeUntyped  *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trtcgw_webhooks_total",
			Help: "Webhook requests by event type and outcome (the Tencent ErrorCode; 0 is accepted).",
		}, []string{"type", "code"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "trtcgw_webhook_ingest_seconds",
			Help:    "Time from receiving a webhook to answering it, including the log append.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		beforeUnlogged: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trtcgw_before_callbacks_unlogged_total",
			Help: "Before callbacks (gifts, group messages) answered \"allow\" although the log did not take them within the budget, by event type.",
		}, []string{"type"}),
		beforeUntyped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trtcgw_before_callbacks_untyped_total",
			Help: "Before callbacks with a field of an unexpected type, allowed and logged as EVENT_TYPE_OTHER, by the type they would have had.",
		}, []string{"type"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.requests, m.latency, m.beforeUnlogged, m.beforeUntyped} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

func (m *metrics) observe(command string, code callback.Code, d time.Duration) {
	typ := "unknown"
	if command != "" {
		typ = callback.TypeToken(callback.EventTypeOf(command))
	}
	m.requests.WithLabelValues(typ, strconv.Itoa(int(code))).Inc()
	m.latency.Observe(d.Seconds())
}
