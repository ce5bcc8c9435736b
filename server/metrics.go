package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/trtc-gateway/trtc-gateway/server/hub"
)

// registerHubMetrics exposes the hub's counters; they are read at scrape
// time, so the delivery path pays nothing for them.
func registerHubMetrics(reg prometheus.Registerer, h *hub.Hub) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "trtcgw_log_head_sequence",
			Help: "The newest sequence this gateway has seen in the event log.",
		}, func() float64 { return float64(h.Stats().Last) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "trtcgw_subscribers",
			Help: "Subscriptions currently open.",
		}, func() float64 { return float64(h.Stats().Subscribers) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "trtcgw_events_delivered_total",
			Help: "Events queued to subscribers (one per matching subscriber).",
		}, func() float64 { return float64(h.Stats().Delivered) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "trtcgw_subscriber_fallbacks_total",
			Help: "Times a subscriber's queue overflowed and its stream went on reading the log at its own pace instead of being cut off.",
		}, func() float64 { return float64(h.Stats().Overflowed) }),
	)
}
