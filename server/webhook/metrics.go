package webhook

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

// metrics are the webhook's Prometheus collectors. The command label is the
// event type, never the raw command text, so a sender cannot create series at will.
type metrics struct {
	requests *prometheus.CounterVec
	latency  prometheus.Histogram
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
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.requests, m.latency} {
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
		typ = typeLabel(callback.EventTypeOf(command))
	}
	m.requests.WithLabelValues(typ, strconv.Itoa(int(code))).Inc()
	m.latency.Observe(d.Seconds())
}

func typeLabel(t gatewayv1.EventType) string {
	switch t {
	case gatewayv1.EventType_EVENT_TYPE_CALL_STARTED:
		return "call_started"
	case gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED:
		return "call_member_changed"
	case gatewayv1.EventType_EVENT_TYPE_CALL_ENDED:
		return "call_ended"
	case gatewayv1.EventType_EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED:
		return "live_member_state_changed"
	default:
		return "other"
	}
}
