from servefirst.cli import main

main()
