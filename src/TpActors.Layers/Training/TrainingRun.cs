using Akka.Actor;
using TpActors.Layers.Sharding;
using TpActors.Layers.Optimizers;
using TpActors.Layers.Checkpoints;

namespace TpActors.Layers.Training;

/// <summary>Runs one training run on an actor system: reads the checkpoint to resume from, starts a <see cref="TrainingSupervisor"/>, waits for its result.</summary>
public static class TrainingRun
{
    private static int _runs;

    /// <summary>
    /// Trains as <paramref name="options"/> says. When resuming, the checkpoint is checked against the run first: a checkpoint
    /// of another model, task or optimizer is refused, naming every difference; a different TP size is resharded.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="InvalidDataException">The checkpoint is corrupt or does not match the run, or the checkpoint directory holds another run's.</exception>
    /// <exception cref="IOException">The checkpoint directory cannot be created or written, or another process is using it.</exception>
    /// <exception cref="TrainingFailedException">The run stopped: retries exhausted, or nothing to restore from.</exception>
    /// <param name="system">The actor system to run in.</param>
    /// <param name="options">The run.</param>
    /// <param name="observer">Told about every step, recovery and checkpoint.</param>
    /// <param name="stop">Cancelled to end the run after the step in flight (see <see cref="StopAfterStep"/>); the result says it stopped.</param>
    public static async Task<TrainingResult> RunAsync(ActorSystem system, TrainingOptions options, TrainingObserver? observer = null, CancellationToken stop = default)
    {
        options.Validate();
        // Before anything is read or started: the directory is writable, this run's alone, and no other process writes it.
        using var checkpoints = options.CheckpointDirectory is { } root
            ? CheckpointDirectory.Open(root, options.Settings.CheckpointKeep, options.Model, options.Task, options.Optimizer)
            : null;
        ShardState[]? initial = null;
        ResumedFrom? resumed = null;
        if (options.ResumeFrom is { } resume)
        {
            using var checkpoint = Checkpoint.Load(resume);
            var differences = checkpoint.Metadata.Differences(options.Model, options.Task, options.Optimizer);
            if (differences.Count > 0)
                throw new InvalidDataException($"The checkpoint at {checkpoint.Directory} does not match this run: {string.Join("; ", differences)}.");
            long at = checkpoint.Metadata.Step;
            if (options.Steps < at)
                throw new InvalidDataException($"Nothing to do: the checkpoint at {checkpoint.Directory} is already at step {at}, past step {options.Steps} (--steps counts from " +
                    $"the start of the run, also when resuming). Ask for more steps, e.g. --steps {at + options.Steps}.");
            if (options.Faults.FirstOrDefault(f => f.Step <= at) is { } early)
                throw new ArgumentException($"--fault {early}: step {early.Step} is not after the checkpoint's step {at}; a resumed run starts at step {at + 1}, so it would never fire.");
            resumed = new ResumedFrom(checkpoint.Directory, at, checkpoint.Metadata.Tp);
            initial = Enumerable.Range(0, options.Tp).Select(r => checkpoint.Cut(options.Tp, r)).ToArray();
        }
        string name = $"training-{Interlocked.Increment(ref _runs)}";
        // The listener subscribes before the supervisor starts, so it sees every event of the run; it handles each one as it
        // is published, so it has seen the whole run when the result arrives.
        var listener = observer is null ? null : new TrainingEventListener(system, name, observer);
        if (listener is not null) system.EventStream.Subscribe(listener, typeof(TrainingEvent));
        try
        {
            var supervisor = system.ActorOf(TrainingSupervisor.Props(resumed is null ? options : options with { ResumeFrom = resumed.Directory }, initial, checkpoints), name);
            await using var stopping = stop.Register(() => supervisor.Tell(new StopAfterStep()));
            var result = await supervisor.Ask<TrainingResult>(GetTrainingResult.Instance, Timeout.InfiniteTimeSpan).ConfigureAwait(false);
            return result with { Resumed = resumed };
        }
        finally
        {
            if (listener is not null) system.EventStream.Unsubscribe(listener);
        }
    }
}
