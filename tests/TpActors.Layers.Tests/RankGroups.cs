using Akka.TestKit.Xunit2;
using TpActors.Runtime.Configuration;

namespace TpActors.Layers.Tests;

/// <summary>An Akka.TestKit actor system shared by a test class, and groups of rank actors in it with test-sized settings.</summary>
public sealed class RankGroups : IAsyncLifetime
{
    private readonly TestKit _kit = new("akka.loglevel = WARNING", "layers-tests");

    /// <summary>The TestKit's system (its TestActor, probes and EventFilter work here as in any TestKit).</summary>
    public ActorSystem System => _kit.Sys;

    /// <summary>The TestKit behind <see cref="System"/>, for probes and event filters.</summary>
    public TestKit Kit => _kit;

    /// <summary>Managed backend, small chunks (16 floats) so that short buffers already travel in several pipelined chunks.</summary>
    public static RankSettings Settings(BackendKind backend = BackendKind.Managed, int chunkFloats = 16, TimeSpan? timeout = null) =>
        RankSettings.Default with
        {
            Backend = backend,
            BlasThreads = 1,
            Collectives = RankSettings.Default.Collectives with
            {
                ChunkElements = chunkFloats,
                RoundTimeout = timeout ?? TimeSpan.FromSeconds(30),
                StallGrace = TimeSpan.FromMilliseconds(300),
            },
        };

    private int _groups;

    public Task<TensorParallelGroup> Start(int size, RankSettings? settings = null) =>
        TensorParallelGroup.StartAsync(System, size, settings ?? Settings(), $"g{Interlocked.Increment(ref _groups)}");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _kit.Dispose(); // shuts the system down, failing if it does not stop in time
        return Task.CompletedTask;
    }

    /// <summary>Posts <paramref name="message"/> to a rank's collective inbox, as a supervisor or a peer does.</summary>
    public void Post(CollectiveEndpoint endpoint, object message) => CollectiveTransport.For(System).Connect(endpoint).Post(message);

    /// <summary>The reference config with -D style overrides.</summary>
    public static HoconConfig With(params string[] overrides) => ConfigLoader.Load(null, overrides).Config;
}
