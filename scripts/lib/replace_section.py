"""Writes a generated Markdown section into a document: the text between
<!-- NAME:begin --> and <!-- NAME:end --> is replaced (the section is appended when the
markers are missing, and the file created when it does not exist), through a temporary
file and a rename so that an interrupted run leaves the old document whole.

Used by scripts/compare-redis.sh and scripts/bench-durability.sh (through
`publish_section`) and scripts/gen-redis-directives.sh, whose sections carry their own
markers."""
import os


def replace_section(path, name, section):
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    if os.path.exists(path):
        text = open(path).read()
        if begin in text and end in text and text.index(begin) < text.index(end):
            text = text[:text.index(begin)] + section.rstrip("\n") + text[text.index(end) + len(end):]
        else:
            text = text.rstrip("\n") + "\n\n" + section
    else:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        text = section
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def publish_section(name, section, path, to_stdout):
    """Prints the section alone (`--stdout`), or writes it into `path` and then prints it."""
    if not to_stdout:
        replace_section(path, name, section)
        print(f"{name}: wrote the {name} section of {path}")
    print(section, end="")
