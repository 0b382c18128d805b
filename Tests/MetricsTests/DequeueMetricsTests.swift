import Metrics
import Testing

/// The spool's dequeue state in the registry: Perl's
/// `dequeue_files_total{key,state}` is the count of the moment (set, not
/// summed), our `dequeue_runs_total{key,result}` a counter.
@Suite struct DequeueMetricsTests {
    @Test func filesAreASnapshotRunsAreCounted() {
        var registry = MetricRegistry(ident: "authentication_milter")
        registry.set(.dequeueFiles, labels: ["dmarc_report", "new"], value: 12)
        registry.set(.dequeueFiles, labels: ["dmarc_report", "new"], value: 3)
        registry.add(.dequeueRuns, labels: ["dmarc_report", "partial"], value: 1)
        registry.add(.dequeueRuns, labels: ["dmarc_report", "partial"], value: 1)
        let text = registry.render(uptimeSeconds: 0, waiting: 0, processing: 0)
        #expect(text.contains("# TYPE authmilter_dequeue_files_total counter\n"))
        #expect(text.contains(#"authmilter_dequeue_files_total{ident="authentication_milter",key="dmarc_report",state="new"} 3"#))
        #expect(text.contains(#"authmilter_dequeue_runs_total{ident="authentication_milter",key="dmarc_report",result="partial"} 2"#))
    }

    @Test func workersCannotSendTheSpoolsFamilies() {
        #expect(!MetricFamily.dequeueFiles.countedByWorkers)
        #expect(!MetricFamily.dequeueRuns.countedByWorkers)
    }
}
