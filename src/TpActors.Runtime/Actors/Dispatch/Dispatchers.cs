using System.Collections.Concurrent;
using TpActors.Runtime.Configuration;

namespace TpActors.Runtime.Actors;

/// <summary>Finds the dispatcher a <see cref="Props"/> names: one instance per config path, made on first use.</summary>
internal sealed class Dispatchers(Config config)
{
    private readonly ConcurrentDictionary<string, MessageDispatcher> _byId = new(StringComparer.Ordinal);

    /// <summary>The dispatcher configured at <paramref name="id"/>; throws <see cref="ArgumentException"/> naming the setting when it is missing or wrong.</summary>
    public MessageDispatcher Lookup(string id) => _byId.GetOrAdd(id, Create);

    private MessageDispatcher Create(string id)
    {
        if (!config.HasPath(id))
            throw new ArgumentException(
                $"Dispatcher '{id}' is not configured: there is no section at path '{id}' (the built-in ones are {Props.DefaultDispatcherId}, {Props.PinnedDispatcherId} and {Props.CallingThreadDispatcherId}).",
                nameof(id));
        var section = config.GetConfig(id).WithFallback(config.GetConfig(Props.DefaultDispatcherId));
        int throughput = section.GetInt("throughput");
        if (throughput <= 0) throw new ArgumentException($"{id}.throughput is {throughput}; an actor must process at least 1 message per turn.", nameof(id));
        string type = section.GetString("type");
        return type switch
        {
            "thread-pool" => new ThreadPoolDispatcher(id, throughput),
            "pinned" => new PinnedDispatcher(id, throughput),
            "calling-thread" => new CallingThreadDispatcher(id, throughput),
            _ => throw new ArgumentException($"{id}.type is '{type}'; it must be one of: thread-pool, pinned, calling-thread.", nameof(id)),
        };
    }

    /// <summary>Ends every dispatcher's threads.</summary>
    public void Shutdown()
    {
        foreach (var dispatcher in _byId.Values) dispatcher.Shutdown();
    }
}
