using Brisa.Core.Ingestion;

namespace Brisa.Core.Tests.Ingestion;

public sealed class DeliveryIdsTests
{
    [Fact]
    public void Add_SameIdAtSameTime_IsADuplicate_AtAnotherTime_IsNot()
    {
        var ids = new DeliveryIds(1);

        Assert.True(ids.Add(0, "a", 1));
        Assert.False(ids.Add(0, "a", 1));
        Assert.True(ids.Add(0, "a", 2));
        Assert.False(ids.Add(0, "a", 2));
        Assert.True(ids.Add(0, "b", 1));
    }

    [Fact]
    public void Add_SameIdInAnotherSource_IsNotADuplicate()
    {
        var ids = new DeliveryIds(2);

        Assert.True(ids.Add(0, "a", 1));
        Assert.True(ids.Add(1, "a", 1));
    }

    [Fact]
    public void Remove_FirstTimeOfAnIdTakenAtTwo_KeepsTheOtherTime()
    {
        var ids = new DeliveryIds(1);
        ids.Add(0, "a", 1);
        ids.Add(0, "a", 2);

        ids.Remove(0, "a", 1);

        Assert.False(ids.Add(0, "a", 2));
        Assert.True(ids.Add(0, "a", 1));
    }

    [Fact]
    public void Remove_EveryTimeOfAnId_FreesIt()
    {
        var ids = new DeliveryIds(1);
        ids.Add(0, "a", 1);
        ids.Add(0, "a", 2);
        ids.Add(0, "a", 3);

        ids.Remove(0, "a", 2);
        ids.Remove(0, "a", 1);
        ids.Remove(0, "a", 3);

        Assert.True(ids.Add(0, "a", 3));
        Assert.True(ids.Add(0, "a", 2));
        Assert.True(ids.Add(0, "a", 1));
    }

    [Fact]
    public void Remove_ATimeNeverTaken_ChangesNothing()
    {
        var ids = new DeliveryIds(1);
        ids.Add(0, "a", 1);

        ids.Remove(0, "a", 5);
        ids.Remove(0, "b", 1);

        Assert.False(ids.Add(0, "a", 1));
    }

    [Fact]
    public void Clear_ForgetsEveryEvent()
    {
        var ids = new DeliveryIds(1);
        ids.Add(0, "a", 1);
        ids.Add(0, "a", 2);

        ids.Clear();

        Assert.True(ids.Add(0, "a", 2));
        Assert.True(ids.Add(0, "a", 1));
    }
}
