using Brisa.Core.Definitions;

namespace Brisa.Core.Modeling;

/// <summary>What evaluation does with a false-negative amount whose currency has no exchange rate (or no currency).</summary>
public enum UnconvertibleCost
{
    /// <summary>Throw, naming the currencies and their row counts: training must not report money it guessed.</summary>
    Fail,

    /// <summary>Count the cost as missing (0), as a row without its amount counts: live monitoring must keep running.</summary>
    Missing,
}

/// <summary>Metrics and the least-cost decision threshold, computed from labels and scores (pure, no ML.NET).</summary>
public static class ModelEvaluator
{
    /// <summary>Number of reliability bins.</summary>
    public const int CalibrationBins = 10;

    /// <summary>Evaluates scores of <paramref name="rows"/> for <paramref name="model"/>'s task and cost matrix.</summary>
    /// <param name="model">The model definition.</param>
    /// <param name="rows">The rows (labels and cost inputs).</param>
    /// <param name="scores">One score per row (probability for binary).</param>
    /// <returns>The evaluation.</returns>
    public static ModelEvaluation Evaluate(ModelDefinition model, TrainingTable rows, IReadOnlyList<float> scores)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count != rows.RowCount)
        {
            throw new ArgumentException($"{scores.Count} scores for {rows.RowCount} rows.", nameof(scores));
        }

        if (model.Task == ModelTask.Regression)
        {
            return new ModelEvaluation(null, null, null, null, Regression(rows.Labels, scores));
        }

        var binary = Binary(rows.Labels, scores);
        if (model.Cost is { } cost)
        {
            var business = LeastCost(rows, scores, cost);
            return new ModelEvaluation(binary, business.Threshold, business.Confusion, business, null);
        }

        return new ModelEvaluation(binary, 0.5, Confusion(rows.Labels, scores, 0.5), null, null);
    }

    /// <summary>AUC, PR-AUC, log loss, Brier score and reliability bins.</summary>
    /// <param name="labels">0/1 labels.</param>
    /// <param name="scores">Probabilities. A NaN score ranks below every other (it is never flagged), is in no reliability bin, and makes log loss and Brier NaN.</param>
    /// <returns>The metrics.</returns>
    public static BinaryMetrics Binary(IReadOnlyList<float> labels, IReadOnlyList<float> scores)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(scores);
        var n = labels.Count;
        long positives = 0;
        double logLoss = 0, brier = 0;
        var binCount = new long[CalibrationBins];
        var binSum = new double[CalibrationBins];
        var binPositives = new long[CalibrationBins];
        for (var i = 0; i < n; i++)
        {
            var y = labels[i] > 0.5f ? 1 : 0;
            positives += y;
            var p = Math.Clamp((double)scores[i], 1e-15, 1 - 1e-15);
            logLoss -= y == 1 ? Math.Log(p) : Math.Log(1 - p);
            brier += (scores[i] - y) * (double)(scores[i] - y);
            if (float.IsNaN(scores[i]))
            {
                continue; // No probability to bin (log loss and Brier are NaN: undefined with an unscored row).
            }

            var bin = Math.Clamp((int)(scores[i] * CalibrationBins), 0, CalibrationBins - 1);
            binCount[bin]++;
            binSum[bin] += scores[i];
            binPositives[bin] += y;
        }

        var calibration = new CalibrationBin[CalibrationBins];
        for (var b = 0; b < CalibrationBins; b++)
        {
            calibration[b] = new CalibrationBin(
                (double)b / CalibrationBins,
                (double)(b + 1) / CalibrationBins,
                binCount[b],
                binCount[b] == 0 ? 0 : binSum[b] / binCount[b],
                binCount[b] == 0 ? 0 : (double)binPositives[b] / binCount[b]);
        }

        var (auc, prAuc) = RankMetrics(labels, scores, positives);
        return new BinaryMetrics(n, positives, n == 0 ? 0 : (double)positives / n, auc, prAuc, n == 0 ? 0 : logLoss / n, n == 0 ? 0 : brier / n, calibration);
    }

    /// <summary>The confusion matrix when rows scoring at or above <paramref name="threshold"/> are flagged.</summary>
    /// <param name="labels">0/1 labels.</param>
    /// <param name="scores">Scores.</param>
    /// <param name="threshold">The threshold.</param>
    /// <returns>The matrix.</returns>
    public static ConfusionMatrix Confusion(IReadOnlyList<float> labels, IReadOnlyList<float> scores, double threshold)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(scores);
        long tp = 0, fp = 0, tn = 0, fn = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            var positive = labels[i] > 0.5f;
            var flagged = scores[i] >= threshold;
            if (flagged && positive)
            {
                tp++;
            }
            else if (flagged)
            {
                fp++;
            }
            else if (positive)
            {
                fn++;
            }
            else
            {
                tn++;
            }
        }

        return new ConfusionMatrix(tp, fp, tn, fn);
    }

    /// <summary>
    /// Chooses the threshold of least total cost on these rows (flag when score ≥ threshold; the threshold is the
    /// midpoint between the last flagged and the first unflagged distinct score) and reports the cost against no model
    /// at it — in-sample, since the threshold was fitted to the same rows — together with the out-of-sample estimate
    /// (<see cref="BusinessResult.OutOfSample"/>, see <see cref="CrossFit"/>).
    /// </summary>
    /// <param name="rows">Rows with labels, times and the cost inputs the matrix names.</param>
    /// <param name="scores">Scores.</param>
    /// <param name="cost">The cost matrix.</param>
    /// <returns>The business result.</returns>
    public static BusinessResult LeastCost(TrainingTable rows, IReadOnlyList<float> scores, CostMatrix cost)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(cost);
        var fnCost = FalseNegativeCosts(rows, cost);
        var all = Enumerable.Range(0, rows.RowCount).ToArray();
        var result = CostOn(rows, scores, cost, fnCost, all, LeastCostThreshold(rows.Labels, scores, cost, fnCost, all));
        var (outOfSample, unavailable) = CrossFit(rows, scores, cost, fnCost);
        return result with { OutOfSample = outOfSample, OutOfSampleUnavailable = unavailable };
    }

    /// <summary>The business result at a given threshold (e.g. the champion's own threshold).</summary>
    /// <param name="rows">Rows with labels and cost inputs.</param>
    /// <param name="scores">Scores.</param>
    /// <param name="cost">The cost matrix.</param>
    /// <param name="threshold">Flag when score ≥ threshold.</param>
    /// <param name="unconvertible">What a false-negative amount whose currency has no rate counts as.</param>
    /// <returns>The business result, in the matrix's currency (the per-currency breakdown too).</returns>
    public static BusinessResult CostAt(TrainingTable rows, IReadOnlyList<float> scores, CostMatrix cost, double threshold, UnconvertibleCost unconvertible = UnconvertibleCost.Fail)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(cost);
        return CostOn(rows, scores, cost, FalseNegativeCosts(rows, cost, unconvertible), Enumerable.Range(0, rows.RowCount).ToArray(), threshold);
    }

    /// <summary>The earlier and the later half of the rows by time, rows of one time never apart (see <see cref="CrossFit"/>).</summary>
    /// <param name="timestamps">Observation times.</param>
    /// <returns>Row indexes of each half, each oldest first; the later one empty when every row has the same time.</returns>
    public static (int[] Earlier, int[] Later) TimeHalves(IReadOnlyList<DateTimeOffset> timestamps)
    {
        ArgumentNullException.ThrowIfNull(timestamps);
        var n = timestamps.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => timestamps[i]).ThenBy(i => i).ToArray();
        if (n < 2)
        {
            return (order, []);
        }

        // The median row's time goes wholly to one side: the side that leaves the halves closer to equal (earlier on a tie).
        var median = timestamps[order[n / 2]];
        var before = order.Count(i => timestamps[i] < median);
        var through = order.Count(i => timestamps[i] <= median);
        var cut = before > 0 && (through == n || n / 2 - before <= through - (n / 2)) ? before : through;
        return (order[..cut], order[cut..]);
    }

    /// <summary>
    /// The out-of-sample business result by time-blocked two-fold cross-fitting: the rows are split by time into two
    /// halves (<see cref="TimeHalves"/>), the least-cost threshold is chosen on each half and counted on the other, and
    /// both halves are added. Needs a positive and a negative row in each half (a half without positives would choose
    /// "flag nothing", one without negatives "flag everything": neither says what the model is worth); otherwise the
    /// result is null with the reason. Which rows allow it depends on labels and times only, so two models compared on
    /// the same rows are both cross-fitted or both not.
    /// </summary>
    /// <param name="rows">Rows with labels, times and cost inputs.</param>
    /// <param name="scores">Scores.</param>
    /// <param name="cost">The cost matrix.</param>
    /// <param name="fnCost">Each row's false-negative cost (<see cref="FalseNegativeCosts"/>).</param>
    /// <returns>The result, or null and why.</returns>
    private static (CrossFittedResult? Result, string? Unavailable) CrossFit(TrainingTable rows, IReadOnlyList<float> scores, CostMatrix cost, double[] fnCost)
    {
        var (earlier, later) = TimeHalves(rows.Timestamps);
        if (later.Length == 0)
        {
            return (null, rows.RowCount < 2 ? $"{rows.RowCount} validation row(s), too few to cross-fit" : "every validation row has the same time, so the window has no earlier and later half");
        }

        foreach (var (half, name) in new[] { (earlier, "earlier"), (later, "later") })
        {
            var positives = half.Count(i => rows.Labels[i] > 0.5f);
            if (positives == 0 || positives == half.Length)
            {
                return (null, $"the {name} half of the window ({half.Length} rows) has no {(positives == 0 ? "positive" : "negative")} row, too few to cross-fit the threshold");
            }
        }

        var earlierResult = CostOn(rows, scores, cost, fnCost, earlier, LeastCostThreshold(rows.Labels, scores, cost, fnCost, later));
        var laterResult = CostOn(rows, scores, cost, fnCost, later, LeastCostThreshold(rows.Labels, scores, cost, fnCost, earlier));
        var total = earlierResult.ExpectedCost + laterResult.ExpectedCost;
        var noModel = earlierResult.NoModelCost + laterResult.NoModelCost;
        var (a, b) = (earlierResult.Confusion, laterResult.Confusion);
        var byCurrency = earlierResult.ByCurrency.Concat(laterResult.ByCurrency)
            .GroupBy(c => c.Currency, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new CurrencyResult(g.Key, g.Sum(c => c.Rows), g.Sum(c => c.ExpectedCost), g.Sum(c => c.NoModelCost), g.Sum(c => c.Saved)));
        return (new CrossFittedResult(
            total,
            noModel,
            noModel - total,
            noModel == 0 ? 0 : (noModel - total) / noModel,
            new ConfusionMatrix(a.TruePositives + b.TruePositives, a.FalsePositives + b.FalsePositives, a.TrueNegatives + b.TrueNegatives, a.FalseNegatives + b.FalseNegatives),
            [.. byCurrency],
            [Half(rows, earlier, earlierResult), Half(rows, later, laterResult)]), null);
    }

    private static CrossFitHalf Half(TrainingTable rows, int[] members, BusinessResult result) => new(
        rows.Timestamps[members[0]],
        rows.Timestamps[members[^1]],
        members.Length,
        members.LongCount(i => rows.Labels[i] > 0.5f),
        result.Threshold,
        result.ExpectedCost,
        result.NoModelCost);

    /// <summary>The threshold of least total cost on the rows <paramref name="members"/>.</summary>
    private static double LeastCostThreshold(IReadOnlyList<float> labels, IReadOnlyList<float> scores, CostMatrix cost, double[] fnCost, int[] members)
    {
        double noModel = 0;
        foreach (var i in members)
        {
            noModel += labels[i] > 0.5f ? fnCost[i] : 0;
        }

        // Flagging row i changes the cost by (tp − fn_i) when positive, by +fp when negative. NaN scores sort last and
        // are never flagged (NaN ≥ threshold is false), so only the m scored rows can be.
        var order = members.OrderByDescending(i => scores[i]).ThenBy(i => i).ToArray();
        var m = order.Length;
        while (m > 0 && float.IsNaN(scores[order[m - 1]]))
        {
            m--;
        }

        double running = noModel, best = noModel;
        var bestCount = 0;
        for (var k = 0; k < m; k++)
        {
            var i = order[k];
            running += labels[i] > 0.5f ? cost.TruePositive - fnCost[i] : cost.FalsePositive;
            var boundary = k == m - 1 || scores[order[k + 1]] < scores[i];
            if (boundary && running < best)
            {
                best = running;
                bestCount = k + 1;
            }
        }

        if (bestCount == 0)
        {
            return m == 0 ? 1.0 : Math.Max(1.0, Math.BitIncrement((double)scores[order[0]]));
        }

        return bestCount == m ? scores[order[m - 1]] : ((double)scores[order[bestCount - 1]] + scores[order[bestCount]]) / 2;
    }

    /// <summary>The business result of the rows <paramref name="members"/> at <paramref name="threshold"/>.</summary>
    private static BusinessResult CostOn(TrainingTable rows, IReadOnlyList<float> scores, CostMatrix cost, double[] fnCost, int[] members, double threshold)
    {
        // The breakdown is by the currency_field's values only: without one, amounts have no currency of their own.
        var currencies = cost.CurrencyField is null ? null : rows.Currencies;
        double total = 0, noModel = 0, reviewAll = 0;
        var byCurrency = new SortedDictionary<string, (long Rows, double Cost, double NoModel)>(StringComparer.Ordinal);
        foreach (var i in members)
        {
            var positive = rows.Labels[i] > 0.5f;
            var flagged = scores[i] >= threshold;
            var rowCost = (positive, flagged) switch
            {
                (true, true) => cost.TruePositive,
                (false, true) => cost.FalsePositive,
                (true, false) => fnCost[i],
                _ => 0,
            };
            var rowNoModel = positive ? fnCost[i] : 0;
            total += rowCost;
            noModel += rowNoModel;
            reviewAll += positive ? cost.TruePositive : cost.FalsePositive;
            if (currencies?[i] is { Length: > 0 } currency)
            {
                var (r, c, m) = byCurrency.GetValueOrDefault(currency);
                byCurrency[currency] = (r + 1, c + rowCost, m + rowNoModel);
            }
        }

        return new BusinessResult(
            cost.Currency,
            threshold,
            total,
            noModel,
            reviewAll,
            noModel - total,
            noModel == 0 ? 0 : (noModel - total) / noModel,
            Confusion([.. members.Select(i => rows.Labels[i])], [.. members.Select(i => scores[i])], threshold),
            [.. byCurrency.Select(c => new CurrencyResult(c.Key, c.Value.Rows, c.Value.Cost, c.Value.NoModel, c.Value.NoModel - c.Value.Cost))]);
    }

    /// <summary>RMSE, MAE and R².</summary>
    /// <param name="labels">Targets.</param>
    /// <param name="scores">Predictions.</param>
    /// <returns>The metrics.</returns>
    public static RegressionMetrics Regression(IReadOnlyList<float> labels, IReadOnlyList<float> scores)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(scores);
        var n = labels.Count;
        if (n == 0)
        {
            return new RegressionMetrics(0, 0, 0, 0);
        }

        double mean = labels.Average(l => (double)l), se = 0, ae = 0, total = 0;
        for (var i = 0; i < n; i++)
        {
            var e = (double)scores[i] - labels[i];
            se += e * e;
            ae += Math.Abs(e);
            total += (labels[i] - mean) * (labels[i] - mean);
        }

        return new RegressionMetrics(n, Math.Sqrt(se / n), ae / n, total == 0 ? 0 : 1 - (se / total));
    }

    /// <summary>
    /// The false-negative cost of each row in the matrix's currency: the constant, or the cost input converted with
    /// <see cref="CostMatrix.ToReportingCurrency"/> by the row's currency (<see cref="TrainingTable.Currencies"/>).
    /// A missing amount costs 0.
    /// </summary>
    /// <param name="rows">Rows with the cost inputs (and currencies, when the matrix has a currency_field).</param>
    /// <param name="cost">The cost matrix.</param>
    /// <param name="unconvertible">What an amount whose currency has no rate counts as.</param>
    /// <returns>One cost per row.</returns>
    /// <exception cref="ArgumentException">The table lacks the cost input or the currencies the matrix reads.</exception>
    /// <exception cref="InvalidOperationException">With <see cref="UnconvertibleCost.Fail"/>: a row's currency has no rate.</exception>
    public static double[] FalseNegativeCosts(TrainingTable rows, CostMatrix cost, UnconvertibleCost unconvertible = UnconvertibleCost.Fail)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(cost);
        var result = new double[rows.RowCount];
        if (cost.FalseNegative.Field is not { } field)
        {
            Array.Fill(result, cost.FalseNegative.Constant ?? 0);
            return result;
        }

        if (!rows.CostInputs.TryGetValue(field, out var values))
        {
            throw new ArgumentException($"The cost matrix reads the false-negative cost from field '{field}', which the training table does not carry as a cost input.", nameof(rows));
        }

        var currencies = cost.CurrencyField is { } currencyField
            ? rows.Currencies ?? throw new ArgumentException($"The cost matrix converts the false-negative cost by currency_field '{currencyField}', but the training table carries no currencies.", nameof(rows))
            : null;
        SortedDictionary<string, long>? unknown = null;
        for (var i = 0; i < result.Length; i++)
        {
            if (double.IsNaN(values[i]))
            {
                continue;
            }

            var converted = cost.ToReportingCurrency(values[i], currencies?[i]);
            if (double.IsNaN(converted) && unconvertible == UnconvertibleCost.Fail)
            {
                unknown ??= new SortedDictionary<string, long>(StringComparer.Ordinal);
                var key = currencies![i] ?? string.Empty;
                unknown[key] = unknown.GetValueOrDefault(key) + 1;
            }

            result[i] = double.IsNaN(converted) ? 0 : converted;
        }

        if (unknown is not null)
        {
            throw new InvalidOperationException(UnconvertibleMessage(cost, unknown));
        }

        return result;
    }

    private static string UnconvertibleMessage(CostMatrix cost, SortedDictionary<string, long> unknown)
    {
        static string Rows(long n) => n == 1 ? "1 row" : $"{n} rows";
        var which = string.Join(", ", unknown.Select(u => u.Key.Length == 0 ? $"empty in {Rows(u.Value)}" : $"'{u.Key}' in {Rows(u.Value)}"));
        var rates = cost.ExchangeRates is { Count: > 0 } r ? string.Join(", ", r.Keys.Order(StringComparer.Ordinal)) : "none";
        return $"Cannot convert the false-negative costs to {cost.Currency}: currency_field '{cost.CurrencyField}' is {which}, with no exchange rate (rates given: {rates}). " +
            "Add the missing rates to the model's cost.exchange_rates, or fix the rows' currency.";
    }

    private static (double Auc, double PrAuc) RankMetrics(IReadOnlyList<float> labels, IReadOnlyList<float> scores, long positives)
    {
        var n = labels.Count;
        var negatives = n - positives;
        if (positives == 0 || negatives == 0)
        {
            return (0.5, positives == 0 ? 0 : 1);
        }

        // Descending by score, ties grouped: AUC by the Mann–Whitney count, PR-AUC as average precision.
        var order = Enumerable.Range(0, n).OrderByDescending(i => scores[i]).ToArray();
        double wins = 0, averagePrecision = 0;
        long tp = 0, fp = 0;
        var k = 0;
        while (k < n)
        {
            // Equals, not ==: NaN scores (sorted last) form one tie group; with == the loop never advanced past them.
            var score = scores[order[k]];
            long groupPositives = 0, groupNegatives = 0;
            while (k < n && scores[order[k]].Equals(score))
            {
                if (labels[order[k]] > 0.5f)
                {
                    groupPositives++;
                }
                else
                {
                    groupNegatives++;
                }

                k++;
            }

            // Positives in this group beat every negative below it and tie (half) with negatives in it.
            wins += groupPositives * (negatives - fp - groupNegatives + (groupNegatives / 2.0));
            tp += groupPositives;
            fp += groupNegatives;
            if (groupPositives > 0)
            {
                averagePrecision += groupPositives / (double)positives * tp / (tp + fp);
            }
        }

        return (wins / ((double)positives * negatives), averagePrecision);
    }
}
