/* loop - never finishes: spins in a loop without calls (not even host calls),
 * so only the runtime's time limit can stop it. Tests timeouts/cancellation. */
int main(void)
{
    volatile unsigned long counter = 0;   /* volatile: the loop is not optimised away */
    for (;;)
        counter++;
}
