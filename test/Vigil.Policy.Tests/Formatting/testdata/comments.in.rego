# File header comment.
# Second line.

# METADATA
# title: Package title
# description: |
#   Multi-line description.
package comments # trailing package comment

import data.a # trailing import comment

# Own-line comment before a rule.
# METADATA
# title: allow
# custom:
#   severity: high
allow if { # after the opening brace
    # first thing in the body
    input.x # trailing expression comment

    # after a blank line
    input.y
    # before the closing brace
}

obj := {
    # before the first key
    "a": 1, # trailing a
    "b": [
        1, # one
        # between items
        2,
    ],
    # before the closing brace
}
#no space after hash
x := 1 # last
# End of file.
