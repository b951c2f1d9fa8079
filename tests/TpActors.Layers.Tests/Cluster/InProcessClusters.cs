namespace TpActors.Layers.Tests.Cluster;

/// <summary>
/// The tests that start an <see cref="InProcessCluster"/> run one at a time, with no other test beside them: every node of
/// such a cluster lives in the test process, so another test's load (a 256 MiB all-reduce loop, a training run) stalls
/// their heartbeats together, and the failure detector (tuned to notice a dead node in seconds) would mark live members
/// unreachable. Separate processes, as `tpactors host` runs them, do not share that fate.
/// </summary>
[CollectionDefinition(nameof(InProcessClusters), DisableParallelization = true)]
public sealed class InProcessClusters;
