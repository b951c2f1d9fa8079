using System.Collections.Immutable;

namespace TpActors.Runtime.Actors;

/// <summary>
/// The system's publish-subscribe bus: a subscriber to a type receives every published event assignable to it
/// (subscribe to <see cref="object"/> for all). Carries <see cref="DeadLetter"/>, <see cref="UnhandledMessage"/>,
/// <see cref="Error"/> and <see cref="Warning"/>, and whatever an application publishes.
/// </summary>
public sealed class EventStream
{
    /// <summary>The subscriptions; replaced whole (copy on write) under the lock, read without it by Publish.</summary>
    private ImmutableArray<(Type Channel, IActorRef Subscriber)> _subscriptions = [];
    private readonly Lock _lock = new();

    /// <summary>Delivers events of <paramref name="channel"/> (and its subtypes) to <paramref name="subscriber"/>; false if it already was subscribed to that channel.</summary>
    public bool Subscribe(IActorRef subscriber, Type channel)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(channel);
        lock (_lock)
        {
            if (_subscriptions.Contains((channel, subscriber))) return false;
            _subscriptions = _subscriptions.Add((channel, subscriber));
            return true;
        }
    }

    /// <summary>Delivers events of type <typeparamref name="TEvent"/> to <paramref name="subscriber"/>.</summary>
    public bool Subscribe<TEvent>(IActorRef subscriber) => Subscribe(subscriber, typeof(TEvent));

    /// <summary>Ends one subscription; false if there was none.</summary>
    public bool Unsubscribe(IActorRef subscriber, Type channel)
    {
        lock (_lock)
        {
            int before = _subscriptions.Length;
            _subscriptions = _subscriptions.Remove((channel, subscriber));
            return _subscriptions.Length != before;
        }
    }

    /// <summary>Ends every subscription of <paramref name="subscriber"/>.</summary>
    public void Unsubscribe(IActorRef subscriber)
    {
        lock (_lock) _subscriptions = _subscriptions.RemoveAll(s => s.Subscriber.Equals(subscriber));
    }

    /// <summary>Sends <paramref name="event"/> to each subscriber whose channel it is assignable to (once per subscriber).</summary>
    public void Publish(object @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var type = @event.GetType();
        var subscriptions = _subscriptions;
        for (int i = 0; i < subscriptions.Length; i++)
        {
            var (channel, subscriber) = subscriptions[i];
            if (!channel.IsAssignableFrom(type) || SubscribedEarlier(subscriptions, i, subscriber, type)) continue;
            subscriber.Tell(@event, null);
        }
    }

    // A subscriber on two matching channels (say DeadLetter and object) gets the event once.
    private static bool SubscribedEarlier(ImmutableArray<(Type Channel, IActorRef Subscriber)> subscriptions, int index, IActorRef subscriber, Type type)
    {
        for (int j = 0; j < index; j++)
            if (subscriptions[j].Subscriber.Equals(subscriber) && subscriptions[j].Channel.IsAssignableFrom(type)) return true;
        return false;
    }
}
