using TraceProbe.Encoders;

namespace TraceProbe.Tests.Encoders;

/// <summary>encoders.json's spellings and the harness's enums are one list: member i is spelling i, first letter upper-cased.</summary>
public sealed class RegistryVocabularyTests
{
    public static TheoryData<Type, string[]> Pairs => new()
    {
        { typeof(EncoderFamily), RegistryVocabulary.Families },
        { typeof(ResizeMode), RegistryVocabulary.ResizeModes },
        { typeof(Interpolation), RegistryVocabulary.Interpolations },
        { typeof(InputLayout), RegistryVocabulary.Layouts },
        { typeof(InputDType), RegistryVocabulary.DTypes },
        { typeof(ChannelOrder), RegistryVocabulary.ChannelOrders },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Every_spelling_names_the_enum_member_in_its_place(Type type, string[] spellings) =>
        Assert.Equal(Enum.GetNames(type), spellings.Select(RegistryVocabulary.Member));
}
