using System.Runtime.InteropServices;

namespace Brisa.Core.Aggregation;

/// <summary>
/// Several views keyed by the same entity (e.g. a customer's 1 h and 7 d views): an event is applied to all of
/// them with one entity lookup instead of one per view. The members keep owning the states (evaluate, encode,
/// dirty keys as usual); the group only remembers, per key, which state each member holds. Not thread-safe.
/// </summary>
public sealed class ViewAggregatorGroup
{
    private readonly ViewAggregator[] _members;
    private readonly int[] _generations;
    private readonly Dictionary<string, EntityTiles[]> _states = new(StringComparer.Ordinal);

    /// <summary>Creates a group.</summary>
    /// <param name="members">The aggregators, each keyed by the entity key the caller passes to <see cref="Apply"/>.</param>
    /// <exception cref="ArgumentException">No member, or the same aggregator twice (it would apply every event twice).</exception>
    public ViewAggregatorGroup(IReadOnlyList<ViewAggregator> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
        {
            throw new ArgumentException("A group needs at least one aggregator.", nameof(members));
        }

        if (members.Any(m => m is null) || members.Distinct().Count() != members.Count)
        {
            throw new ArgumentException("Every member must be a distinct, non-null aggregator.", nameof(members));
        }

        _members = [.. members];
        _generations = [.. _members.Select(m => m.Generation)];
    }

    /// <summary>The aggregators, in the order of <see cref="Apply"/>'s results.</summary>
    public IReadOnlyList<ViewAggregator> Members => _members;

    /// <summary>
    /// Applies one event to its entity in every member (creating the entity's states when new), exactly as
    /// <see cref="ViewAggregator.Apply(string, long, string?, ulong, ReadOnlySpan{FieldValue})"/> on each member would.
    /// </summary>
    /// <param name="entityKey">The entity key.</param>
    /// <param name="eventTicks">The event time, UTC ticks since the Unix epoch.</param>
    /// <param name="eventId">The event id.</param>
    /// <param name="eventIdHash">FNV-1a 64 of the id's UTF-8 bytes (<see cref="StableHash.Fnv1a64(string?)"/>).</param>
    /// <param name="fields">The event's field values.</param>
    /// <param name="results">Receives one result per member, in <see cref="Members"/> order.</param>
    /// <returns>How many members applied the event (<see cref="ApplyResult.Applied"/>).</returns>
    public int Apply(string entityKey, long eventTicks, string? eventId, ulong eventIdHash, ReadOnlySpan<FieldValue> fields, Span<ApplyResult> results)
    {
        ArgumentNullException.ThrowIfNull(entityKey);
        if (results.Length < _members.Length)
        {
            throw new ArgumentException($"The results need {_members.Length} values.", nameof(results));
        }

        ForgetIfMembersChanged();
        ref EntityTiles[]? slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_states, entityKey, out _);
        EntityTiles[] states = slot ??= StatesOf(entityKey);
        int applied = 0;
        for (int m = 0; m < _members.Length; m++)
        {
            results[m] = _members[m].ApplyTo(states[m], entityKey, eventTicks, eventId, eventIdHash, fields);
            if (results[m] == ApplyResult.Applied)
            {
                applied++;
            }
        }

        return applied;
    }

    /// <summary>Each member's state for a key the group has not seen (a separate method: a lambda capturing the key in <see cref="Apply"/> would allocate on every call).</summary>
    private EntityTiles[] StatesOf(string entityKey) => [.. _members.Select(m => m.GetOrCreate(entityKey))];

    /// <summary>A member replaced or removed a state since the last look: what the group remembers may be stale.</summary>
    private void ForgetIfMembersChanged()
    {
        for (int m = 0; m < _members.Length; m++)
        {
            if (_members[m].Generation != _generations[m])
            {
                _states.Clear();
                for (int k = 0; k < _members.Length; k++)
                {
                    _generations[k] = _members[k].Generation;
                }

                return;
            }
        }
    }
}
