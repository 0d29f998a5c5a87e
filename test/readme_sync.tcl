# readme_sync.tcl — README's "Use it from" snippets are the example files,
# verbatim: each block between
#     <!-- include: examples/FILE -->
#     ```lang
#     ... the file's text ...
#     ```
#     <!-- /include -->
# must equal the file (test/host07.test runs this check).
#
#   tclsh test/readme_sync.tcl [README]         check; exit 1 naming each
#                                               block that differs
#   tclsh test/readme_sync.tcl --fix [README]   rewrite the blocks from the files
set fix 0
if {[lindex $argv 0] eq "--fix"} { set fix 1; set argv [lrange $argv 1 end] }
set top [file dirname [file dirname [file normalize [info script]]]]
set readme [expr {[llength $argv] ? [lindex $argv 0] : [file join $top README.md]}]

proc slurp {path} { set f [open $path]; set t [read $f]; close $f; return $t }

set text [slurp $readme]
set out ""
set bad {}
set seen {}
set re {<!-- include: (\S+?) -->\n```[a-z]*\n(.*?)```\n<!-- /include -->}
set pos 0
while {[regexp -start $pos -indices -- $re $text all name body]} {
  set file [string range $text {*}$name]
  set have [string range $text {*}$body]
  set want [slurp [file join $top $file]]
  lappend seen $file
  append out [string range $text $pos [expr {[lindex $all 0] - 1}]]
  append out "<!-- include: $file -->\n```[string range [file extension $file] 1 end]\n$want```\n<!-- /include -->"
  if {$have ne $want} { lappend bad $file }
  set pos [expr {[lindex $all 1] + 1}]
}
append out [string range $text $pos end]
if {[llength $seen] == 0} { puts "readme_sync: no <!-- include: ... --> blocks in $readme"; exit 1 }
if {$fix} {
  set f [open $readme w]; puts -nonewline $f $out; close $f
  puts "readme_sync: [llength $seen] blocks written ([join $seen {, }])"
  exit 0
}
if {[llength $bad]} {
  puts "readme_sync: $readme differs from [join $bad {, }] (run: tclsh test/readme_sync.tcl --fix)"
  exit 1
}
puts "readme_sync: [join $seen {, }] in sync"
