namespace TpActors.Layers.Training;

/// <summary>Thrown by a rank where a <see cref="FaultSpec"/> of kind throw says so.</summary>
public sealed class InjectedFaultException(FaultSpec fault)
    : Exception($"injected fault: rank {fault.Rank} throws at step {fault.Step}, {TrainingPhases.Name(fault.Phase)} phase")
{
    /// <summary>The fault that fired.</summary>
    public FaultSpec Fault { get; } = fault;
}
