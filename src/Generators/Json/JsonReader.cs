using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace TraceProbe.Generators.Json;

/// <summary>Thrown for malformed JSON; carries the offset where reading stopped.</summary>
internal sealed class JsonSyntaxException : Exception
{
    public JsonSyntaxException(string message, int position, int length = 1) : base(message)
    {
        Position = position;
        Length = length;
    }

    public int Position { get; }
    public int Length { get; }
}

/// <summary>
/// A small strict JSON reader (RFC 8259) that keeps the source span of every value.
/// Why hand-written: System.Text.Json is not reliably loadable inside a netstandard2.0 generator
/// (the compiler host may carry a different version, or none), and its DOM does not keep positions,
/// which diagnostics need to point at encoders.json(line,col).
/// </summary>
internal sealed class JsonReader
{
    private const int MaxDepth = 64;

    private readonly string _text;
    private int _pos;

    private JsonReader(string text) => _text = text;

    public static JsonValue Parse(string text)
    {
        var reader = new JsonReader(text);
        reader.SkipWhitespace();
        if (reader._pos == 0 && text.Length > 0 && text[0] == '\uFEFF')
        {
            reader._pos = 1;
            reader.SkipWhitespace();
        }
        var value = reader.ReadValue(0);
        reader.SkipWhitespace();
        if (reader._pos < text.Length)
        {
            throw new JsonSyntaxException(
                "unexpected " + reader.Describe(reader._pos) + " after the end of the document", reader._pos);
        }
        return value;
    }

    private JsonValue ReadValue(int depth)
    {
        if (depth > MaxDepth) throw new JsonSyntaxException("nesting is deeper than " + MaxDepth + " levels", _pos);
        if (_pos >= _text.Length) throw new JsonSyntaxException("unexpected end of file, a value was expected", _pos, 0);
        var c = _text[_pos];
        switch (c)
        {
            case '{': return ReadObject(depth);
            case '[': return ReadArray(depth);
            case '"':
                var start = _pos;
                var s = ReadString();
                return new JsonValue(JsonKind.String, start, _pos, s);
            case 't': return ReadLiteral("true", JsonKind.True);
            case 'f': return ReadLiteral("false", JsonKind.False);
            case 'n': return ReadLiteral("null", JsonKind.Null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return ReadNumber();
                if (char.IsLetter(c)) throw BareWord();
                throw new JsonSyntaxException("unexpected " + Describe(_pos) + ", a value was expected", _pos);
        }
    }

    private JsonValue ReadObject(int depth)
    {
        var start = _pos++;
        var properties = new List<JsonProperty>();
        SkipWhitespace();
        if (Peek() == '}')
        {
            _pos++;
            return new JsonValue(JsonKind.Object, start, _pos, properties: properties);
        }
        while (true)
        {
            SkipWhitespace();
            if (Peek() != '"')
            {
                throw new JsonSyntaxException("unexpected " + Describe(_pos) + ", a property name in double quotes was expected", _pos, _pos < _text.Length ? 1 : 0);
            }
            var nameStart = _pos;
            var name = ReadString();
            var nameEnd = _pos;
            SkipWhitespace();
            if (Peek() != ':') throw new JsonSyntaxException("unexpected " + Describe(_pos) + ", ':' was expected after property \"" + name + "\"", _pos, _pos < _text.Length ? 1 : 0);
            _pos++;
            SkipWhitespace();
            var value = ReadValue(depth + 1);
            properties.Add(new JsonProperty(name, nameStart, nameEnd, value));
            SkipWhitespace();
            var next = Peek();
            if (next == ',')
            {
                var comma = _pos++;
                SkipWhitespace();
                if (Peek() == '}') throw new JsonSyntaxException("trailing comma before '}'", comma);
                continue;
            }
            if (next == '}')
            {
                _pos++;
                return new JsonValue(JsonKind.Object, start, _pos, properties: properties);
            }
            throw new JsonSyntaxException("unexpected " + Describe(_pos) + ", ',' or '}' was expected (a missing comma?)", _pos, _pos < _text.Length ? 1 : 0);
        }
    }

    private JsonValue ReadArray(int depth)
    {
        var start = _pos++;
        var items = new List<JsonValue>();
        SkipWhitespace();
        if (Peek() == ']')
        {
            _pos++;
            return new JsonValue(JsonKind.Array, start, _pos, items: items);
        }
        while (true)
        {
            SkipWhitespace();
            items.Add(ReadValue(depth + 1));
            SkipWhitespace();
            var next = Peek();
            if (next == ',')
            {
                var comma = _pos++;
                SkipWhitespace();
                if (Peek() == ']') throw new JsonSyntaxException("trailing comma before ']'", comma);
                continue;
            }
            if (next == ']')
            {
                _pos++;
                return new JsonValue(JsonKind.Array, start, _pos, items: items);
            }
            throw new JsonSyntaxException("unexpected " + Describe(_pos) + ", ',' or ']' was expected (a missing comma?)", _pos, _pos < _text.Length ? 1 : 0);
        }
    }

    private string ReadString()
    {
        var start = _pos++;
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length) throw new JsonSyntaxException("unterminated string", start, _pos - start);
            var c = _text[_pos++];
            if (c == '"') return sb.ToString();
            if (c < ' ') throw new JsonSyntaxException("control character in a string (a missing closing quote?)", _pos - 1);
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            if (_pos >= _text.Length) throw new JsonSyntaxException("unterminated string", start, _pos - start);
            var e = _text[_pos++];
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    if (_pos + 4 > _text.Length || !int.TryParse(_text.Substring(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw new JsonSyntaxException("invalid \\u escape", _pos - 2, 2);
                    }
                    sb.Append((char)code);
                    _pos += 4;
                    break;
                default:
                    throw new JsonSyntaxException("invalid escape '\\" + e + "'", _pos - 2, 2);
            }
        }
    }

    private JsonValue ReadNumber()
    {
        var start = _pos;
        if (Peek() == '-') _pos++;
        if (Peek() == '0')
        {
            _pos++;
        }
        else if (IsDigit(Peek()))
        {
            while (IsDigit(Peek())) _pos++;
        }
        else
        {
            throw new JsonSyntaxException("invalid number", start, Math.Max(1, _pos - start));
        }
        if (Peek() == '.')
        {
            _pos++;
            if (!IsDigit(Peek())) throw new JsonSyntaxException("invalid number: digits must follow '.'", start, _pos - start);
            while (IsDigit(Peek())) _pos++;
        }
        if (Peek() == 'e' || Peek() == 'E')
        {
            _pos++;
            if (Peek() == '+' || Peek() == '-') _pos++;
            if (!IsDigit(Peek())) throw new JsonSyntaxException("invalid number: digits must follow the exponent", start, _pos - start);
            while (IsDigit(Peek())) _pos++;
        }
        if (IsDigit(Peek()) || char.IsLetter(Peek()))
        {
            throw new JsonSyntaxException("invalid number", start, _pos - start + 1);
        }
        return new JsonValue(JsonKind.Number, start, _pos, _text.Substring(start, _pos - start));
    }

    private JsonValue ReadLiteral(string literal, JsonKind kind)
    {
        var start = _pos;
        if (string.CompareOrdinal(_text, _pos, literal, 0, literal.Length) != 0
            || (_pos + literal.Length < _text.Length && char.IsLetterOrDigit(_text[_pos + literal.Length])))
        {
            throw BareWord();
        }
        _pos += literal.Length;
        return new JsonValue(kind, start, _pos);
    }

    /// <summary>A word that is not true/false/null, most often a string without its quotes.</summary>
    private JsonSyntaxException BareWord()
    {
        var end = _pos;
        while (end < _text.Length && (char.IsLetterOrDigit(_text[end]) || _text[end] == '_')) end++;
        return new JsonSyntaxException("unexpected '" + _text.Substring(_pos, end - _pos) + "', a value was expected (strings need double quotes)", _pos, Math.Max(1, end - _pos));
    }

    private void SkipWhitespace()
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            _pos++;
        }
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private static bool IsDigit(char c) => c >= '0' && c <= '9';

    private string Describe(int pos)
    {
        if (pos >= _text.Length) return "end of file";
        var c = _text[pos];
        if (c == '/') return "'/' (comments are not allowed in JSON)";
        return c < ' ' ? "character U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) : "'" + c + "'";
    }
}
