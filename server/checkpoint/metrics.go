package checkpoint

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are a Keeper's Prometheus metrics, labelled by projection.
type metrics struct {
	sequence, bytes, encode, upload *prometheus.GaugeVec
	failures, written               *prometheus.CounterVec
	source, restoreSeconds          *prometheus.GaugeVec
	age                             []prometheus.Collector
}

func newMetrics(k *Keeper) metrics {
	m := metrics{
		sequence: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "trtcgw_checkpoint_sequence",
			Help: "The sequence of the newest checkpoint of the projection this gateway wrote or restored.",
		}, []string{"projection"}),
		bytes: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "trtcgw_checkpoint_bytes",
			Help: "The size of that checkpoint.",
		}, []string{"projection"}),
		encode: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "trtcgw_checkpoint_encode_seconds",
			Help: "How long encoding the last checkpoint took; the projection's events queued meanwhile, and were applied right after.",
		}, []string{"projection"}),
		upload: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "trtcgw_checkpoint_upload_seconds",
			Help: "How long storing the last checkpoint in the object store took.",
		}, []string{"projection"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trtcgw_checkpoint_failures_total",
			Help: "Checkpoints that could not be written (store unavailable, out of space, encoding failed).",
		}, []string{"projection"}),
		written: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trtcgw_checkpoints_written_total",
			Help: "Checkpoints this gateway wrote.",
		}, []string{"projection"}),
		source: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "trtcgw_state_restore_source",
			Help: "1 for where the projection's state came from at start: source=checkpoint (then the log after it) or source=log (the whole retained log).",
		}, []string{"projection", "source"}),
		restoreSeconds: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "trtcgw_state_restore_seconds",
			Help: "How long loading and decoding the projection's checkpoint took at start (or deciding not to use one); replaying the log after it is not counted.",
		}, []string{"projection"}),
	}
	for _, kp := range k.list {
		m.failures.WithLabelValues(kp.Name)
		m.written.WithLabelValues(kp.Name)
		m.age = append(m.age, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "trtcgw_checkpoint_age_seconds",
			Help:        "Seconds since the newest checkpoint of the projection this gateway wrote or restored was written; 0 before there is one.",
			ConstLabels: prometheus.Labels{"projection": kp.Name},
		}, func() float64 {
			at := kp.savedAt.Load()
			if at == 0 {
				return 0
			}
			return time.Since(time.Unix(0, at)).Seconds()
		}))
	}
	return m
}

func (m metrics) register(reg prometheus.Registerer) error {
	for _, c := range append([]prometheus.Collector{m.sequence, m.bytes, m.encode, m.upload, m.failures, m.written, m.source, m.restoreSeconds}, m.age...) {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// saved records a checkpoint written or restored.
func (m metrics) saved(name string, seq uint64, size int) {
	m.sequence.WithLabelValues(name).Set(float64(seq))
	m.bytes.WithLabelValues(name).Set(float64(size))
}

// restored records where a projection's state came from at start.
func (m metrics) restored(name, source string, took time.Duration) {
	for _, s := range []string{"checkpoint", "log"} {
		v := 0.0
		if s == source {
			v = 1
		}
		m.source.WithLabelValues(name, s).Set(v)
	}
	m.restoreSeconds.WithLabelValues(name).Set(took.Seconds())
}
