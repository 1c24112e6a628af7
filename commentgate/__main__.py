from commentgate.cli import main

main()
