namespace Brisa.Core.Definitions;

/// <summary>Typo suggestions by edit distance, used in diagnostic hints.</summary>
internal static class NameSuggestions
{
    /// <summary>The closest candidate within a small edit distance, or null.</summary>
    public static string? Closest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(name, candidate);
            if (distance < bestDistance || (distance == bestDistance && string.CompareOrdinal(candidate, best) < 0))
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        var limit = Math.Max(1, Math.Min(3, (name.Length + 2) / 3));
        // Never "suggest" a name that shares nothing with the typo (e.g. 'a' for 'b').
        return bestDistance <= limit && bestDistance < name.Length ? best : null;
    }

    /// <summary>A hint: "Did you mean 'x'? Known {what}: a, b, c" (or just the list, or a note when empty); each name once.</summary>
    public static string Hint(string name, IReadOnlyCollection<string> candidates, string what)
    {
        if (candidates.Count == 0)
        {
            return $"No {what} are defined";
        }

        var closest = Closest(name, candidates);
        // A name defined twice is its own error (BR0101): listed once here.
        var list = $"Known {what}: {string.Join(", ", candidates.Distinct(StringComparer.Ordinal))}";
        return closest is null ? list : $"Did you mean '{closest}'? {list}";
    }

    /// <summary>Optimal string alignment distance (Levenshtein plus adjacent transpositions), case-insensitive.</summary>
    public static int Distance(string a, string b)
    {
        a = a.ToUpperInvariant();
        b = b.ToUpperInvariant();
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
