using Akka.Actor;
using Akka.Event;

namespace TpActors.Runtime.Cluster;

/// <summary>
/// A host's rank slots (the actor at <c>/user/host</c> of every <c>tpactors host</c>): it leases free slots to a job's
/// driver and takes them back when the job releases them or its lease holder stops (the driver ended, or its node left the
/// cluster: DeathWatch tells). The ranks themselves are deployed onto the host by the job's supervisor, their parent, and
/// stop with it.
/// </summary>
public sealed class HostSlots : ReceiveActor
{
    /// <summary>The actor's name: drivers find it at <c>/user/host</c> of each host member.</summary>
    public const string Name = "host";

    private readonly int _cores;
    private readonly string?[] _jobs;                              // the job holding each slot, or null when it is free
    private readonly Dictionary<IActorRef, List<string>> _holders = new(); // who holds which jobs' leases
    private readonly Action<string> _report;
    private IActorRef? _drainer; // who asked this host to drain, answered once every slot is free

    /// <summary>A host of <paramref name="slots"/> slots sharing <paramref name="cores"/> cores; <paramref name="report"/> gets one line per lease and release.</summary>
    public HostSlots(int slots, int cores, Action<string>? report)
    {
        _cores = cores;
        _jobs = new string?[slots];
        var log = Context.GetLogger();
        _report = report ?? (line => log.Info("{0}", line));
        string secret = Context.System.Settings.Config.GetString("tpactors.cluster.secret", "");
        string self = NodeAddress.Of(Akka.Cluster.Cluster.Get(Context.System).SelfAddress).ToString();
        Receive<GetSlotOffer>(ask => Sender.Tell(new SlotOffer(_jobs.Length, _drainer is null ? _jobs.Count(j => j is null) : 0, _cores,
            SlotOfferProof.Prove(secret, ask.Challenge, self))));
        Receive<DrainSlots>(_ =>
        {
            _drainer = Sender;
            var self = Akka.Cluster.Cluster.Get(Context.System).SelfAddress;
            foreach (var holder in _holders.Keys) holder.Tell(new HostDraining(self));
            if (_holders.Count > 0) _report($"draining: asked {_holders.Count} job{(_holders.Count == 1 ? "" : "s")} to move {(_holders.Count == 1 ? "its" : "their")} ranks");
            AnswerIfDrained();
        });
        Receive<LeaseSlots>(Lease);
        Receive<ReleaseSlots>(release => Release(release.Job));
        Receive<Terminated>(terminated =>
        {
            if (_holders.Remove(terminated.ActorRef, out var jobs)) foreach (var job in jobs) Release(job);
        });
    }

    /// <summary>Props for a host of <paramref name="slots"/> slots on <paramref name="cores"/> cores.</summary>
    public static Props Props(int slots, int cores, Action<string>? report = null) => Akka.Actor.Props.Create(() => new HostSlots(slots, cores, report));

    private void AnswerIfDrained()
    {
        if (_drainer is not null && _jobs.All(j => j is null)) _drainer.Tell(SlotsDrained.Instance);
    }

    private void Lease(LeaseSlots lease)
    {
        if (_drainer is not null)
        {
            Sender.Tell(new Status.Failure(new InvalidOperationException($"job {lease.Job} asked for {lease.Count} slots; this host is leaving")));
            return;
        }
        var free = Enumerable.Range(0, _jobs.Length).Where(s => _jobs[s] is null).ToList();
        if (lease.Count < 1 || free.Count < lease.Count)
        {
            Sender.Tell(new Status.Failure(new InvalidOperationException($"job {lease.Job} asked for {lease.Count} slots; {free.Count} of {_jobs.Length} are free")));
            return;
        }
        var taken = free.Take(lease.Count).ToList();
        foreach (int slot in taken) _jobs[slot] = lease.Job;
        if (!_holders.TryGetValue(lease.Holder, out var jobs))
        {
            _holders[lease.Holder] = jobs = [];
            Context.Watch(lease.Holder);
        }
        jobs.Add(lease.Job);
        _report($"job {lease.Job} leased slot{(taken.Count == 1 ? "" : "s")} {string.Join(", ", taken)} for {lease.Holder.Path.Address}");
        Sender.Tell(new SlotsLeased(lease.Job, taken));
    }

    private void Release(string job)
    {
        var slots = Enumerable.Range(0, _jobs.Length).Where(s => _jobs[s] == job).ToList();
        if (slots.Count == 0) return;
        foreach (int slot in slots) _jobs[slot] = null;
        _report($"job {job} ended: slot{(slots.Count == 1 ? "" : "s")} {string.Join(", ", slots)} free");
        AnswerIfDrained();
    }
}
