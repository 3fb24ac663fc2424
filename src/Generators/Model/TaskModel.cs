namespace TraceProbe.Generators.Model;

/// <summary>One EXIF condition of an acquisition class; the value is the JSON string, or the JSON text of any other value.</summary>
internal readonly record struct ExifCondition(string Key, string Value);

/// <summary>A trace class: its id, the enum member it becomes, and its processing chain or EXIF rule.</summary>
internal readonly record struct ClassModel(
    string Id, string MemberName, EquatableArray<string> Ops, EquatableArray<ExifCondition> Exif);

/// <summary>A task default (e.g. the number of seeds) given in the task's "defaults" object.</summary>
internal readonly record struct TaskDefault(string Key, string Value);

/// <summary>One trace task, validated.</summary>
internal readonly record struct TaskModel(
    string Id,
    string TypeName,
    string Kind,
    string DisplayName,
    string? Attribute,
    string? MaskRatio,
    EquatableArray<TaskDefault> Defaults,
    EquatableArray<ClassModel> Classes);
