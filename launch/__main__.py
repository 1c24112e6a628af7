from launch import main

main(prog_name="commentgate")
