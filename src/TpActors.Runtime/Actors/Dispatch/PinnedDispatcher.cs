using System.Collections.Concurrent;

namespace TpActors.Runtime.Actors;

/// <summary>
/// One dedicated thread per actor, named after the actor's path, for the whole of the actor's life: the rank actor that
/// owns a device always runs on the same thread. The thread sleeps on a semaphore between turns.
/// </summary>
internal sealed class PinnedDispatcher(string id, int throughput) : MessageDispatcher(id, throughput)
{
    private readonly ConcurrentDictionary<Mailbox, PinnedThread> _threads = new();

    public override void Attach(Mailbox mailbox)
    {
        var thread = new PinnedThread(mailbox);
        _threads[mailbox] = thread;
        thread.Start();
    }

    public override void Detach(Mailbox mailbox)
    {
        if (_threads.TryRemove(mailbox, out var thread)) thread.Stop();
    }

    public override void Dispatch(Mailbox mailbox)
    {
        if (_threads.TryGetValue(mailbox, out var thread)) thread.Wake();
        else ThreadPool.UnsafeQueueUserWorkItem(mailbox, preferLocal: false); // a turn after Detach only answers late system messages
    }

    public override void Shutdown()
    {
        foreach (var mailbox in _threads.Keys) Detach(mailbox);
    }

    /// <summary>The thread of one actor: each Wake runs one turn.</summary>
    private sealed class PinnedThread(Mailbox mailbox)
    {
        /// <summary>Counts turns asked for; the mailbox's Idle→Scheduled swap keeps it at most 1.</summary>
        private readonly SemaphoreSlim _wake = new(0);
        private volatile bool _stopping;

        public void Start()
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"tpactors-pinned {mailbox.ActorPath}" };
            thread.Start();
        }

        public void Wake() => _wake.Release();

        public void Stop()
        {
            _stopping = true;
            _wake.Release();
        }

        private void Loop()
        {
            while (true)
            {
                _wake.Wait();
                if (_stopping) return;
                mailbox.Run();
            }
        }
    }
}
